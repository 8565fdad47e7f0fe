// Binary log coordinates: a position in one server's binlog (or in its master's binlog, for what a
// replica executed). Pure helpers shared by the planner, the flows and topology moves.

/** A position in a binary log. */
export interface BinlogPosition {
  LogFile: string;
  LogPos: number;
}

/** `mysql-bin.000042` → [`mysql-bin`, 42]; a name without a numeric suffix → [name, -1]. */
function splitLogFile(file: string): [string, number] {
  const m = /^(.*)\.(\d+)$/.exec(file);
  return m ? [m[1] as string, Number(m[2])] : [file, -1];
}

/**
 * <0, 0, >0 as a is before, at, after b. Files of one server compare by their numeric suffix (so
 * `.999999` < `.1000000`); names with different bases compare as text.
 */
export function compareBinlogPositions(a: BinlogPosition, b: BinlogPosition): number {
  if (a.LogFile !== b.LogFile) {
    const [baseA, numA] = splitLogFile(a.LogFile);
    const [baseB, numB] = splitLogFile(b.LogFile);
    if (baseA === baseB && numA !== numB) return numA - numB;
    return a.LogFile < b.LogFile ? -1 : 1;
  }
  return a.LogPos - b.LogPos;
}

/** `file:pos`, for audit lines. */
export function formatBinlogPosition(p: BinlogPosition): string {
  return `${p.LogFile}:${p.LogPos}`;
}
