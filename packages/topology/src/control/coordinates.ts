// Pure helpers on binlog file names, orchestrator's reversible "detach" encodings and statements.

/** The numeric suffix of a binlog file name (`mysql-bin.000042` → 42); NaN when there is none. */
export function binlogFileNumber(name: string): number {
  const m = /\.(\d+)$/.exec(name);
  return m ? Number(m[1]) : Number.NaN;
}

/** Orders binlog file names of one server: by base name, then by number. */
export function compareBinlogFiles(a: string, b: string): number {
  const baseA = a.replace(/\.\d+$/, '');
  const baseB = b.replace(/\.\d+$/, '');
  if (baseA !== baseB) return baseA < baseB ? -1 : 1;
  return binlogFileNumber(a) - binlogFileNumber(b);
}

export interface DetachedCoordinates {
  logFile: string;
  logPos: number;
  /** MariaDB MASTER_USE_GTID value to restore ('slave_pos' or 'current_pos'); absent for file:pos. */
  useGtid?: string;
}

const DETACHED_FILE_RE = /^\/\/([^/:]+):(\d+)(?::(slave_pos|current_pos))?$/;

/**
 * detach-replica's encoding of the executed coordinates in Master_Log_File (`//file:pos`, as the
 * reference writes it). Setting a log file turns MariaDB GTID replication off, so the GTID mode is
 * appended (`//file:pos:slave_pos`) and reattach-replica restores it.
 */
export function detachedLogFile(c: DetachedCoordinates): string {
  return `//${c.logFile}:${c.logPos}${c.useGtid ? `:${c.useGtid}` : ''}`;
}

/** The coordinates encoded by detachedLogFile, or null when `logFile` is not detached. */
export function parseDetachedLogFile(logFile: string): DetachedCoordinates | null {
  const m = DETACHED_FILE_RE.exec(logFile);
  if (!m) return null;
  const c: DetachedCoordinates = { logFile: m[1] ?? '', logPos: Number(m[2]) };
  if (m[3]) c.useGtid = m[3];
  return c;
}

/** detach-replica-master-host prefixes Master_Host with `//` (reversible, and no host resolves). */
export function isDetachedHost(host: string): boolean {
  return host.startsWith('//');
}

export function detachedHost(host: string): string {
  return `//${host}`;
}

export function reattachedHost(host: string): string {
  return host.replace(/^\/\/+/, '');
}

/** A statement with a trailing `;` (the reference's SemicolonTerminated). */
function terminated(statement: string): string {
  const s = statement.trim();
  return s.endsWith(';') ? s : `${s};`;
}

/**
 * restart-replica-statements: `injected` wrapped in stopping and restarting exactly the replication
 * threads that run now (an IO-only or SQL-only replica keeps that state). Pure; nothing is run.
 */
export function restartPreserveStatements(
  threads: { ioRunning: boolean; sqlRunning: boolean } | null,
  injected: string,
): string[] {
  const io = threads?.ioRunning ?? false;
  const sql = threads?.sqlRunning ?? false;
  return [
    ...(io ? [terminated('stop slave io_thread')] : []),
    ...(sql ? [terminated('stop slave sql_thread')] : []),
    ...(injected.trim() === '' ? [] : [terminated(injected)]),
    ...(sql ? [terminated('start slave sql_thread')] : []),
    ...(io ? [terminated('start slave io_thread')] : []),
  ];
}
