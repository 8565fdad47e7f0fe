import type { Dialect } from './types.js';

function placeholders(cols: number, rows: number): string {
  const one = `(${new Array(cols).fill('?').join(', ')})`;
  return new Array(rows).fill(one).join(', ');
}

export const sqliteDialect: Dialect = {
  kind: 'sqlite',
  insertIgnore: 'INSERT OR IGNORE',
  // SQLite's default limit is 32766 variables; one-row statements prepared once are fastest there.
  maxRowsPerStatement: 1,
  ident: (name) => `"${name}"`,
  upsert(table, cols, keyCols, update, rows = 1) {
    const set = update.length
      ? `DO UPDATE SET ${update.map((c) => `${c} = excluded.${c}`).join(', ')}`
      : 'DO NOTHING';
    return (
      `INSERT INTO ${table} (${cols.join(', ')}) VALUES ${placeholders(cols.length, rows)} ` +
      `ON CONFLICT (${keyCols.join(', ')}) ${set}`
    );
  },
};

export const mysqlDialect: Dialect = {
  kind: 'mysql',
  insertIgnore: 'INSERT IGNORE',
  // Multi-row statements save round trips; 500 rows keeps packets well under max_allowed_packet.
  maxRowsPerStatement: 500,
  ident: (name) => `\`${name}\``,
  upsert(table, cols, keyCols, update, rows = 1) {
    // With no columns to update, re-assign a key column to itself: a no-op that still ignores the duplicate.
    const set = (update.length ? update : [keyCols[0] ?? cols[0]])
      .map((c) => `${c} = VALUES(${c})`)
      .join(', ');
    return `INSERT INTO ${table} (${cols.join(', ')}) VALUES ${placeholders(cols.length, rows)} ON DUPLICATE KEY UPDATE ${set}`;
  },
};

/**
 * Upserts many rows with the dialect's best statement shape: one prepared single-row statement per
 * row on SQLite, multi-row statements on MySQL. Returns the number of rows sent.
 */
export async function upsertRows(
  q: {
    execBatch(sql: string, rows: readonly (readonly unknown[])[]): Promise<number>;
    exec(sql: string, params?: readonly unknown[]): Promise<unknown>;
  },
  dialect: Dialect,
  table: string,
  cols: readonly string[],
  keyCols: readonly string[],
  update: readonly string[],
  rows: readonly (readonly unknown[])[],
): Promise<number> {
  if (rows.length === 0) return 0;
  if (dialect.maxRowsPerStatement <= 1) {
    return q.execBatch(dialect.upsert(table, cols, keyCols, update, 1), rows);
  }
  for (let i = 0; i < rows.length; i += dialect.maxRowsPerStatement) {
    const chunk = rows.slice(i, i + dialect.maxRowsPerStatement);
    await q.exec(dialect.upsert(table, cols, keyCols, update, chunk.length), chunk.flat());
  }
  return rows.length;
}
