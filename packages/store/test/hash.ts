import { createHash } from 'node:crypto';
import type { Backend } from '../src/backend/types.js';

/** sha256 of each table's rows, values stringified and rows sorted: equal across backends. */
export async function tableHashes(
  backend: Backend,
  tables?: readonly string[],
): Promise<Record<string, string>> {
  const names = tables ?? (await backend.tableNames()).filter((t) => t !== 'schema_version');
  const out: Record<string, string> = {};
  for (const t of names) {
    const cols = await backend.columnNames(t);
    const rows = await backend.query(`SELECT ${cols.join(', ')} FROM ${t}`);
    const lines = rows
      .map((r) =>
        JSON.stringify(cols.map((c) => (r[c] === null || r[c] === undefined ? null : String(r[c])))),
      )
      .sort();
    out[t] = createHash('sha256').update(lines.join('\n')).digest('hex').slice(0, 16);
  }
  return out;
}
