// Binary log events as SHOW BINLOG EVENTS lists them, and how Pseudo-GTID matching compares them
// across servers (reference go/inst/binlog.go): identical statements with server-specific details
// (table ids, xids, comments) normalised away, control events skipped.

/** One row of SHOW BINLOG EVENTS. */
export interface BinlogEvent {
  /** The binlog file (Log_name). */
  file: string;
  /** Where the event starts (Pos). */
  pos: number;
  /** Where the next event starts (End_log_pos). */
  end: number;
  /** Event_type, e.g. Query, Gtid, Table_map, Write_rows_v1, Xid. */
  type: string;
  /** Info: the statement, or a description of the event. */
  info: string;
}

/**
 * Control events that differ between servers or carry no data: the reference's Format_desc, Stop
 * and Rotate, plus MariaDB's Gtid_list and Binlog_checkpoint (written at the start of every binlog
 * file, so where a server rotated shows up in them) and MySQL's Previous_gtids and encryption starts.
 */
const SKIPPED_TYPES: ReadonlySet<string> = new Set([
  'Format_desc',
  'Stop',
  'Rotate',
  'Gtid_list',
  'Binlog_checkpoint',
  'Previous_gtids',
  'Start_encryption',
]);

/** The reference's eventInfoTransformations: what differs between two servers' copies of one event. */
const TRANSFORMATIONS: readonly [RegExp, string][] = [
  [/(.*) [/][*].*?[*][/](.*$)/, '$1 $2'], // comments
  [/(COMMIT) .*$/, '$1'], // commit (xid) numbers
  [/(table_id:) [0-9]+ (.*$)/, '$1 ### $2'], // table ids
  [/(table_id:) [0-9]+$/, '$1 ###'],
  [/ X'([0-9a-fA-F]+)' COLLATE/, ' 0x$1 COLLATE'], // collation literals
  [/(BEGIN GTID [^ ]+) cid=.*/, '$1'], // MariaDB commit ids
  [/(GTID [^ ]+) cid=.*/, '$1'],
];

export function normalizeInfo(info: string): string {
  let out = info;
  for (const [re, replacement] of TRANSFORMATIONS) out = out.replace(re, replacement);
  return out;
}

/** A data event (not a control event, not containing any of `skipContaining`). */
export function isRealEvent(e: BinlogEvent, skipContaining: readonly string[] = []): boolean {
  if (SKIPPED_TYPES.has(e.type)) return false;
  return !skipContaining.some((s) => s !== '' && e.info.includes(s));
}

/** `file:pos` of an event. */
export const eventAt = (e: Pick<BinlogEvent, 'file' | 'pos'>): string => `${e.file}:${e.pos}`;
