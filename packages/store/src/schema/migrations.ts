// Versioned migrations, applied in order on open and recorded in `schema_version`. A database whose
// version is newer than the last migration here is refused: an older binary must not write a
// schema it does not understand.
import type { Backend, BackendKind, Queryable } from '../backend/types.js';
import { SchemaVersionError } from '../errors.js';
import type { Clock } from '../time.js';
import { dbTime } from '../time.js';
import { createTableStatements } from './ddl.js';
import { allTables, type TableDef } from './tables.js';

export interface Migration {
  version: number;
  description: string;
  statements(kind: BackendKind): string[];
}

export const migrations: readonly Migration[] = [
  {
    version: 1,
    description: 'orchestrator base tables',
    statements: (kind) => allTables.flatMap((t) => createTableStatements(kind, t)),
  },
  {
    // Fresh databases already have it from version 1 (CREATE TABLE IF NOT EXISTS).
    version: 2,
    description: 'database_instance_topology_history (snapshot-topologies)',
    statements: (kind) => createTableStatements(kind, requireTable('database_instance_topology_history')),
  },
];

function requireTable(name: string): TableDef {
  const table = allTables.find((t) => t.name === name);
  if (table === undefined) throw new Error(`no table definition ${name}`);
  return table;
}

export const schemaVersion = migrations[migrations.length - 1]?.version ?? 0;

const versionTable = (kind: BackendKind) =>
  kind === 'mysql'
    ? 'CREATE TABLE IF NOT EXISTS schema_version (version int NOT NULL PRIMARY KEY, description varchar(255) NOT NULL, applied_at varchar(32) NOT NULL) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin'
    : 'CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL PRIMARY KEY, description TEXT NOT NULL, applied_at TEXT NOT NULL)';

/** The version recorded in the database (0 when none). */
export async function currentSchemaVersion(backend: Backend): Promise<number> {
  await backend.exec(versionTable(backend.kind));
  const rows = await backend.query<{ v: number | null }>('SELECT MAX(version) AS v FROM schema_version');
  return Number(rows[0]?.v ?? 0);
}

/** Brings the schema up to date; returns the versions applied. */
export async function migrate(
  backend: Backend,
  clock: Clock,
  list: readonly Migration[] = migrations,
): Promise<number[]> {
  const known = list[list.length - 1]?.version ?? 0;
  const found = await currentSchemaVersion(backend);
  if (found > known) throw new SchemaVersionError(found, known, backend.target);
  const applied: number[] = [];
  for (const m of list) {
    if (m.version <= found) continue;
    const apply = async (q: Queryable) => {
      for (const sql of m.statements(backend.kind)) await q.exec(sql);
      await q.exec('INSERT INTO schema_version (version, description, applied_at) VALUES (?, ?, ?)', [
        m.version,
        m.description,
        dbTime(clock()),
      ]);
    };
    // SQLite: one transaction per migration, all or nothing (and one commit instead of one per
    // table). DDL is not transactional on MySQL; there every statement is idempotent, so a retry
    // after a crash half-way through a migration is safe.
    if (backend.kind === 'sqlite') await backend.transaction(apply);
    else await apply(backend);
    applied.push(m.version);
  }
  return applied;
}
