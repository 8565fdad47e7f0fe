// Installs a snapshot in one transaction: FSM-owned tables are replaced exactly; tables that are
// also written locally get REPLACE INTO (local-only rows kept, reference §1.6); instances absent
// from the snapshot are forgotten and unknown ones get minimal rows (probed later); everything
// else in database_instance (local probe data) is left alone.
import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import type { Backend, Queryable } from '../backend/types.js';
import { yieldToLoop } from '../backend/types.js';
import { StoreError } from '../errors.js';
import type { InstanceKey } from '../model/instance.js';
import { fsmOwnedTables, mergedSnapshotTables, snapshotTables } from '../schema/tables.js';
import { type SnapshotEvent, SnapshotScanner } from './scanner.js';

export interface RestoreResult {
  leaderURI: string;
  recoveryDisabled: boolean;
  /** Rows written per table. */
  rows: Record<string, number>;
  forgotten: InstanceKey[];
  added: InstanceKey[];
}

interface MinimalInstance {
  Key: InstanceKey;
  MasterKey: InstanceKey;
  ClusterName: string;
}

const FLUSH_ROWS = 500;

function asKey(v: unknown): InstanceKey | undefined {
  if (!v || typeof v !== 'object') return undefined;
  const o = v as Record<string, unknown>;
  if (typeof o.Hostname !== 'string' || !o.Hostname) return undefined;
  return { Hostname: o.Hostname, Port: Number(o.Port) };
}

async function replaceRows(
  backend: Backend,
  tx: Queryable,
  table: string,
  cols: string[],
  rows: unknown[][],
): Promise<void> {
  if (rows.length === 0) return;
  const per = Math.max(1, backend.dialect.maxRowsPerStatement);
  const one = `(${cols.map(() => '?').join(', ')})`;
  if (per === 1) {
    await tx.execBatch(`REPLACE INTO ${table} (${cols.join(', ')}) VALUES ${one}`, rows);
    return;
  }
  for (let i = 0; i < rows.length; i += per) {
    const chunk = rows.slice(i, i + per);
    await tx.exec(
      `REPLACE INTO ${table} (${cols.join(', ')}) VALUES ${chunk.map(() => one).join(', ')}`,
      chunk.flat(),
    );
  }
}

async function* gunzipText(input: Buffer | AsyncIterable<Uint8Array>): AsyncIterable<string> {
  const source = Buffer.isBuffer(input) ? Readable.from(chunksOf(input, 64 * 1024)) : Readable.from(input);
  const gunzip = source.pipe(createGunzip({ chunkSize: 64 * 1024 }));
  const decoder = new TextDecoder('utf-8');
  for await (const chunk of gunzip as AsyncIterable<Buffer>) yield decoder.decode(chunk, { stream: true });
  const tail = decoder.decode();
  if (tail) yield tail;
}

function* chunksOf(buf: Buffer, size: number): Iterable<Buffer> {
  for (let i = 0; i < buf.length; i += size) yield buf.subarray(i, i + size);
}

/** Restores a gzip snapshot (a buffer or a stream of chunks). */
export async function restoreSnapshot(
  backend: Backend,
  input: Buffer | AsyncIterable<Uint8Array>,
): Promise<RestoreResult> {
  const local = new Map<string, string[]>();
  for (const t of snapshotTables) local.set(t, await backend.columnNames(t));
  const owned = new Set<string>(fsmOwnedTables);
  const merged = new Set<string>(mergedSnapshotTables);

  try {
    return await backend.transaction(async (tx) => {
      for (const t of fsmOwnedTables) await tx.exec(`DELETE FROM ${t}`);
      await tx.exec('DELETE FROM global_recovery_disable');
      const result: RestoreResult = {
        leaderURI: '',
        recoveryDisabled: false,
        rows: {},
        forgotten: [],
        added: [],
      };
      const minimal: MinimalInstance[] = [];
      const legacyKeys: InstanceKey[] = [];
      const tables = new Map<string, { indexes: number[]; cols: string[]; pending: unknown[][] }>();

      const flush = async (table: string) => {
        const t = tables.get(table);
        if (!t || t.pending.length === 0) return;
        await replaceRows(backend, tx, table, t.cols, t.pending);
        result.rows[table] = (result.rows[table] ?? 0) + t.pending.length;
        t.pending = [];
      };

      const handle = async (e: SnapshotEvent) => {
        switch (e.kind) {
          case 'field':
            if (e.key === 'LeaderURI') result.leaderURI = String(e.value ?? '');
            if (e.key === 'RecoveryDisabled') result.recoveryDisabled = e.value === true;
            break;
          case 'item':
            if (e.key === 'MinimalInstances') {
              const o = (e.value ?? {}) as Record<string, unknown>;
              const key = asKey(o.Key);
              if (key) {
                minimal.push({
                  Key: key,
                  MasterKey: asKey(o.MasterKey) ?? { Hostname: '', Port: 0 },
                  ClusterName: String(o.ClusterName ?? ''),
                });
              }
            } else {
              const key = asKey(e.value);
              if (key) legacyKeys.push(key);
            }
            break;
          case 'columns': {
            const mine = local.get(e.table);
            if (!mine || !(owned.has(e.table) || merged.has(e.table)) || !Array.isArray(e.value)) break;
            const theirs = e.value.map(String);
            // Only the columns both sides know: snapshots from older or newer schemas still load.
            const indexes: number[] = [];
            const cols: string[] = [];
            theirs.forEach((c, i) => {
              if (mine.includes(c)) {
                indexes.push(i);
                cols.push(c);
              }
            });
            tables.set(e.table, { indexes, cols, pending: [] });
            break;
          }
          case 'row': {
            const t = tables.get(e.table);
            if (!t || !Array.isArray(e.value)) break;
            const row = e.value as unknown[];
            t.pending.push(t.indexes.map((i) => row[i] ?? null));
            if (t.pending.length >= FLUSH_ROWS) await flush(e.table);
            break;
          }
        }
      };

      const scanner = new SnapshotScanner();
      for await (const text of gunzipText(input)) {
        for (const e of scanner.push(text)) await handle(e);
        await yieldToLoop();
      }
      for (const e of scanner.end()) await handle(e);
      for (const t of tables.keys()) {
        await flush(t);
        await yieldToLoop();
      }

      const upsertMeta = backend.dialect.upsert(
        'raft_fsm_meta',
        ['meta_key', 'meta_value'],
        ['meta_key'],
        ['meta_value'],
      );
      await tx.exec(upsertMeta, ['LeaderURI', result.leaderURI]);
      if (result.recoveryDisabled)
        await tx.exec('INSERT INTO global_recovery_disable (disable_recovery) VALUES (0)');

      // Instances: forget what the snapshot does not know; add minimal rows for what we do not.
      const wanted = minimal.length
        ? minimal
        : legacyKeys.map((k) => ({ Key: k, MasterKey: { Hostname: '', Port: 0 }, ClusterName: '' }));
      const wantedSet = new Set(wanted.map((m) => `${m.Key.Hostname}:${m.Key.Port}`));
      const have = await tx.query<{ hostname: string; port: number }>(
        'SELECT hostname, port FROM database_instance',
      );
      const haveSet = new Set<string>();
      for (const r of have) {
        const key = { Hostname: String(r.hostname), Port: Number(r.port) };
        haveSet.add(`${key.Hostname}:${key.Port}`);
        if (!wantedSet.has(`${key.Hostname}:${key.Port}`)) result.forgotten.push(key);
      }
      for (let i = 0; i < result.forgotten.length; i += FLUSH_ROWS) {
        const chunk = result.forgotten.slice(i, i + FLUSH_ROWS).map((k) => [k.Hostname, k.Port]);
        await tx.execBatch('DELETE FROM database_instance WHERE hostname = ? AND port = ?', chunk);
        await yieldToLoop();
      }
      const addRows: unknown[][] = [];
      for (const m of wanted) {
        if (haveSet.has(`${m.Key.Hostname}:${m.Key.Port}`)) continue;
        haveSet.add(`${m.Key.Hostname}:${m.Key.Port}`);
        result.added.push(m.Key);
        addRows.push([m.Key.Hostname, m.Key.Port, m.MasterKey.Hostname, m.MasterKey.Port, m.ClusterName]);
      }
      await replaceRows(
        backend,
        tx,
        'database_instance',
        ['hostname', 'port', 'master_host', 'master_port', 'cluster_name'],
        addRows,
      );
      return result;
    });
  } catch (err) {
    if (err instanceof StoreError) throw err;
    const msg = err instanceof Error ? err.message : String(err);
    if (/snapshot JSON|incorrect header|unexpected end|invalid|truncated/i.test(msg)) {
      throw new StoreError('SNAPSHOT_INVALID', `snapshot cannot be restored: ${msg}`, { cause: err });
    }
    throw err;
  }
}
