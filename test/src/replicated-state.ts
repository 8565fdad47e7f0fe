// Reads a node's replicated state straight from its SQLite backend (read-only, one read transaction,
// so the applied index and the rows belong together), for comparing nodes after chaos.
import { createHash } from 'node:crypto';
import { fsmOwnedTables } from '@orchestrator/store';
import Database from 'better-sqlite3';

export interface ReplicatedState {
  readonly appliedIndex: number;
  /** sha256 (16 hex) of each FSM-owned table's rows, values stringified and rows sorted. */
  readonly hashes: Readonly<Record<string, string>>;
  /** Each FSM-owned table's rows as sorted JSON lines (to show how nodes differ). */
  readonly tableRows: Readonly<Record<string, readonly string[]>>;
  /** One string per row of the given tables, e.g. `candidate_database_instance|h|3306|prefer`. */
  readonly rows: ReadonlySet<string>;
}

/** Row identities used to check acknowledged commands: table → the columns that identify a value. */
export const CHECKED_COLUMNS: Readonly<Record<string, readonly string[]>> = {
  candidate_database_instance: ['hostname', 'port', 'promotion_rule'],
  database_instance_downtime: ['hostname', 'port', 'owner', 'reason'],
  database_instance_tags: ['hostname', 'port', 'tag_name', 'tag_value'],
};

export function rowId(table: string, values: readonly unknown[]): string {
  return [table, ...values.map((v) => String(v))].join('|');
}

function rowLines(rows: Record<string, unknown>[], columns: string[]): string[] {
  return rows
    .map((r) =>
      JSON.stringify(columns.map((c) => (r[c] === null || r[c] === undefined ? null : String(r[c])))),
    )
    .sort();
}

function hashLines(lines: readonly string[]): string {
  return createHash('sha256').update(lines.join('\n')).digest('hex').slice(0, 16);
}

/** Lines in `a` but not in `b`, and in `b` but not in `a` (at most `limit` of each). */
export function lineDifference(
  a: readonly string[],
  b: readonly string[],
  limit = 5,
): { onlyInFirst: string[]; onlyInSecond: string[] } {
  const inA = new Set(a);
  const inB = new Set(b);
  return {
    onlyInFirst: a.filter((l) => !inB.has(l)).slice(0, limit),
    onlyInSecond: b.filter((l) => !inA.has(l)).slice(0, limit),
  };
}

/** The node's applied index, the hashes of the FSM-owned tables and the rows of CHECKED_COLUMNS. */
export function readReplicatedState(sqliteFile: string): ReplicatedState {
  const db = new Database(sqliteFile, { readonly: true, fileMustExist: true, timeout: 5000 });
  try {
    return db.transaction(() => {
      const applied = db
        .prepare("SELECT meta_value FROM raft_fsm_meta WHERE meta_key = 'AppliedIndex'")
        .get() as { meta_value: string } | undefined;
      const hashes: Record<string, string> = {};
      const tableRows: Record<string, string[]> = {};
      for (const table of fsmOwnedTables) {
        const columns = (db.prepare(`PRAGMA table_info(${table})`).all() as { name: string }[]).map(
          (c) => c.name,
        );
        const rows = db.prepare(`SELECT * FROM ${table}`).all() as Record<string, unknown>[];
        tableRows[table] = rowLines(rows, columns);
        hashes[table] = hashLines(tableRows[table]);
      }
      const rows = new Set<string>();
      for (const [table, columns] of Object.entries(CHECKED_COLUMNS)) {
        for (const r of db
          .prepare(`SELECT ${columns.join(', ')} FROM ${table}`)
          .raw()
          .all() as unknown[][]) {
          rows.add(rowId(table, r));
        }
      }
      return { appliedIndex: Number(applied?.meta_value ?? 0), hashes, tableRows, rows };
    })();
  } finally {
    db.close();
  }
}
