import type { Dialect, Queryable } from '../../backend/types.js';
import type { Timings } from '../../config.js';
import type { InstanceKey } from '../../model/instance.js';
import { dbTime, parseTime } from '../../time.js';
import type { SideEffect } from '../commands.js';
import { instanceKey } from '../decode.js';

export interface ApplyContext {
  tx: Queryable;
  dialect: Dialect;
  timings: Timings;
  /** The command's time when its payload has none: the envelope's `at`, else the FSM clock. */
  fallbackTime: string;
}

export interface HandlerResult {
  result: unknown;
  effects: SideEffect[];
}

/** Method syntax on purpose: each handler narrows `payload` to what its own `decode` returns. */
export interface Handler {
  /** Raw ops carry a plain string, not JSON. */
  raw?: boolean;
  decode(value: unknown): unknown;
  apply(ctx: ApplyContext, payload: unknown): Promise<HandlerResult>;
}

export const none = (result: unknown = null): HandlerResult => ({ result, effects: [] });
export const keyStr = (k: InstanceKey) => `${k.Hostname}:${k.Port}`;
export const unix = (stored: string) => Math.floor(parseTime(stored) / 1000);

export async function upsert(
  ctx: ApplyContext,
  table: string,
  row: Record<string, unknown>,
  keys: string[],
): Promise<void> {
  const cols = Object.keys(row);
  const sql = ctx.dialect.upsert(
    table,
    cols,
    keys,
    cols.filter((c) => !keys.includes(c)),
    1,
  );
  await ctx.tx.exec(sql, Object.values(row));
}

export async function nextId(
  ctx: ApplyContext,
  table: string,
  column: string,
  wanted: number,
): Promise<number> {
  if (wanted > 0) {
    const taken = await ctx.tx.query(`SELECT 1 AS x FROM ${table} WHERE ${column} = ?`, [wanted]);
    if (taken.length === 0) return wanted;
  }
  const rows = await ctx.tx.query<{ m: number | null }>(`SELECT MAX(${column}) AS m FROM ${table}`);
  return Number(rows[0]?.m ?? 0) + 1;
}

/** Closes active periods that started before `now - blockSeconds` (deterministic expiry). */
export async function expireActive(
  ctx: ApplyContext,
  table: string,
  idCol: string,
  now: string,
  blockSeconds: number,
): Promise<void> {
  const threshold = dbTime(parseTime(now) - blockSeconds * 1000);
  const rows = await ctx.tx.query<{ id: number; start_active_period: string }>(
    `SELECT ${idCol} AS id, start_active_period FROM ${table} WHERE in_active_period = 1 AND start_active_period < ?`,
    [threshold],
  );
  for (const r of rows) {
    await ctx.tx.exec(
      `UPDATE ${table} SET in_active_period = 0, end_active_period_unixtime = ? WHERE ${idCol} = ?`,
      [unix(String(r.start_active_period)) + blockSeconds, r.id],
    );
  }
}

export const keyPayload = (v: unknown) => instanceKey(v, 'payload');
export const noPayload = (v: unknown) => v;
