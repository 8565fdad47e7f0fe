// Produces a snapshot: gzip of orchestrator's JSON layout, written row by row from a consistent
// read view so neither memory nor the event loop is held by a large backend.
import { createGzip } from 'node:zlib';
import type { Backend, Queryable } from '../backend/types.js';
import { snapshotTables, tableDef } from '../schema/tables.js';

const BATCH = 1000;

function cell(v: unknown): string | null {
  if (v === null || v === undefined) return null;
  return typeof v === 'string' ? v : String(v);
}

/**
 * Writes the snapshot JSON as text pieces to `write`; resolves with the raft index the snapshot
 * covers (raft_fsm_meta.AppliedIndex inside the same read view; 0 when never recorded). On SQLite
 * the read view is fixed synchronously when this is called.
 */
export async function writeSnapshotJson(
  backend: Backend,
  write: (text: string) => Promise<void>,
): Promise<number> {
  // Columns come from the schema definition, so the read view starts without an await before it.
  const columns = new Map<string, string[]>();
  for (const t of snapshotTables) columns.set(t, tableDef(t)?.columns.map((c) => c.name) ?? []);
  return backend.readConsistent(async (q: Queryable) => {
    const instances: string[] = [];
    const keys: string[] = [];
    for await (const batch of q.stream(
      'SELECT hostname, port, master_host, master_port, cluster_name FROM database_instance ORDER BY hostname, port',
      [],
      BATCH,
    )) {
      for (const r of batch) {
        const key = JSON.stringify({ Hostname: r.hostname, Port: Number(r.port) });
        keys.push(key);
        instances.push(
          `{"Key":${key},"MasterKey":${JSON.stringify({ Hostname: r.master_host, Port: Number(r.master_port) })},"ClusterName":${JSON.stringify(r.cluster_name)}}`,
        );
      }
    }
    await write(`{"Keys":[${keys.join(',\n')}],\n"MinimalInstances":[${instances.join(',\n')}],\n`);
    const disabled = (await q.query('SELECT disable_recovery FROM global_recovery_disable')).length > 0;
    const leader = await q.query("SELECT meta_value FROM raft_fsm_meta WHERE meta_key = 'LeaderURI'");
    await write(
      `"RecoveryDisabled":${disabled},\n"LeaderURI":${JSON.stringify(String(leader[0]?.meta_value ?? ''))}`,
    );
    for (const table of snapshotTables) {
      const cols = columns.get(table) ?? [];
      const pk = tableDef(table)?.primaryKey ?? cols.slice(0, 1);
      await write(`,\n${JSON.stringify(table)}:{"Columns":${JSON.stringify(cols)},"Data":[`);
      let first = true;
      for await (const batch of q.stream(
        `SELECT ${cols.join(', ')} FROM ${table} ORDER BY ${pk.join(', ')}`,
        [],
        BATCH,
      )) {
        const text = batch.map((r) => JSON.stringify(cols.map((c) => cell(r[c])))).join(',\n');
        await write(first ? `\n${text}` : `,\n${text}`);
        first = false;
      }
      await write(']}');
    }
    await write('}\n');
    const applied = await q.query("SELECT meta_value FROM raft_fsm_meta WHERE meta_key = 'AppliedIndex'");
    return Number(applied[0]?.meta_value ?? 0);
  });
}

/** The snapshot as gzip chunks, produced incrementally; resolves with the raft index it covers. */
export async function writeSnapshot(
  backend: Backend,
  onChunk: (chunk: Buffer) => void | Promise<void>,
): Promise<number> {
  const gzip = createGzip();
  const pending: Promise<void>[] = [];
  gzip.on('data', (chunk: Buffer) => {
    const r = onChunk(chunk);
    if (r) pending.push(r);
  });
  const finished = new Promise<void>((resolve, reject) => {
    gzip.on('end', resolve);
    gzip.on('error', reject);
  });
  const index = await writeSnapshotJson(backend, async (text) => {
    if (!gzip.write(text)) await new Promise<void>((resolve) => gzip.once('drain', resolve));
  });
  gzip.end();
  await finished;
  await Promise.all(pending);
  return index;
}

/** The whole snapshot as one gzip buffer, with the raft index it covers. */
export async function snapshotWithIndex(backend: Backend): Promise<{ data: Buffer; appliedIndex: number }> {
  const chunks: Buffer[] = [];
  const appliedIndex = await writeSnapshot(backend, (c) => {
    chunks.push(c);
  });
  return { data: Buffer.concat(chunks), appliedIndex };
}

/** The whole snapshot as one gzip buffer. */
export async function snapshot(backend: Backend): Promise<Buffer> {
  return (await snapshotWithIndex(backend)).data;
}
