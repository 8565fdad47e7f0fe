import type { BackendKind } from '../backend/types.js';
import type { ColumnDef, TableDef } from './tables.js';

function mysqlColumn(col: ColumnDef): string {
  if (col.autoIncrement) return `${col.name} bigint NOT NULL AUTO_INCREMENT`;
  switch (col.type) {
    case 'str':
      return `${col.name} varchar(255) ${col.nullable ? 'NULL' : "NOT NULL DEFAULT ''"}`;
    case 'text':
      // Expression defaults on TEXT work on MariaDB ≥ 10.2 and MySQL ≥ 8.0.13.
      return `${col.name} mediumtext ${col.nullable ? 'NULL' : "NOT NULL DEFAULT ('')"}`;
    case 'int':
      return `${col.name} int ${col.nullable ? 'NULL' : 'NOT NULL DEFAULT 0'}`;
    case 'bigint':
      return `${col.name} bigint ${col.nullable ? 'NULL' : 'NOT NULL DEFAULT 0'}`;
    case 'bool':
      return `${col.name} tinyint ${col.nullable ? 'NULL' : 'NOT NULL DEFAULT 0'}`;
    case 'time':
      return `${col.name} datetime(3) NULL DEFAULT NULL`;
  }
}

function sqliteColumn(col: ColumnDef, inlinePk: boolean): string {
  if (inlinePk) return `${col.name} INTEGER PRIMARY KEY AUTOINCREMENT`;
  switch (col.type) {
    case 'str':
    case 'text':
      return `${col.name} TEXT ${col.nullable ? 'NULL' : "NOT NULL DEFAULT ''"}`;
    case 'int':
    case 'bigint':
    case 'bool':
      return `${col.name} INTEGER ${col.nullable ? 'NULL' : 'NOT NULL DEFAULT 0'}`;
    case 'time':
      return `${col.name} TEXT NULL DEFAULT NULL`;
  }
}

/** CREATE TABLE (and, on SQLite, CREATE INDEX) statements for `table`, idempotent. */
export function createTableStatements(kind: BackendKind, table: TableDef): string[] {
  const indexes = table.indexes ?? [];
  if (kind === 'mysql') {
    const parts = table.columns.map(mysqlColumn);
    parts.push(`PRIMARY KEY (${table.primaryKey.join(', ')})`);
    for (const ix of indexes)
      parts.push(`${ix.unique ? 'UNIQUE ' : ''}KEY ${ix.name} (${ix.columns.join(', ')})`);
    return [
      `CREATE TABLE IF NOT EXISTS ${table.name} (\n  ${parts.join(',\n  ')}\n) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin`,
    ];
  }
  const inline =
    table.primaryKey.length === 1 &&
    table.columns.some((c) => c.autoIncrement && c.name === table.primaryKey[0]);
  const parts = table.columns.map((col) => sqliteColumn(col, inline && col.name === table.primaryKey[0]));
  if (!inline) parts.push(`PRIMARY KEY (${table.primaryKey.join(', ')})`);
  return [
    `CREATE TABLE IF NOT EXISTS ${table.name} (\n  ${parts.join(',\n  ')}\n)`,
    ...indexes.map(
      (ix) =>
        `CREATE ${ix.unique ? 'UNIQUE ' : ''}INDEX IF NOT EXISTS ${ix.name}_${table.name} ON ${table.name} (${ix.columns.join(', ')})`,
    ),
  ];
}
