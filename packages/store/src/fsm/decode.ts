// Reading an entry's `value` (a plain JSON value) as a typed payload.
// Validation failures throw PayloadError, which the FSM turns into an FsmError before writing.
import type { InstanceKey } from '../model/instance.js';
import { parseTime, toDbTime } from '../time.js';

export class PayloadError extends Error {}

/**
 * The payload of an entry: its `value`, a plain JSON value (encodeCommand's one encoding). `raw`
 * ops (yield, yield-hint) carry a plain string.
 */
export function decodeValue(value: unknown, raw: boolean): unknown {
  if (raw && typeof value !== 'string') throw new PayloadError('value must be a string');
  return value;
}

export function obj(v: unknown, what = 'payload'): Record<string, unknown> {
  if (v === null || typeof v !== 'object' || Array.isArray(v))
    throw new PayloadError(`${what} must be a JSON object`);
  return v as Record<string, unknown>;
}

export function str(
  o: Record<string, unknown>,
  field: string,
  opts: { required?: boolean; nonEmpty?: boolean } = {},
): string {
  const v = o[field];
  if (v === undefined || v === null) {
    if (opts.required || opts.nonEmpty) throw new PayloadError(`${field} is required`);
    return '';
  }
  if (typeof v !== 'string') throw new PayloadError(`${field} must be a string`);
  if (opts.nonEmpty && v === '') throw new PayloadError(`${field} must not be empty`);
  return v;
}

export function int(o: Record<string, unknown>, field: string, opts: { required?: boolean } = {}): number {
  const v = o[field];
  if (v === undefined || v === null) {
    if (opts.required) throw new PayloadError(`${field} is required`);
    return 0;
  }
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new PayloadError(`${field} must be a number`);
  return Math.trunc(v);
}

export function boolField(o: Record<string, unknown>, field: string): boolean {
  const v = o[field];
  if (v === undefined || v === null) return false;
  if (typeof v !== 'boolean') throw new PayloadError(`${field} must be a boolean`);
  return v;
}

export function instanceKey(v: unknown, what = 'Key'): InstanceKey {
  const o = obj(v, what);
  const Hostname = str(o, 'Hostname', { nonEmpty: true });
  const Port = int(o, 'Port', { required: true });
  if (Port <= 0 || Port > 65535) throw new PayloadError(`${what}.Port must be 1..65535`);
  return { Hostname, Port };
}

export function optionalKey(v: unknown, what = 'Key'): InstanceKey | undefined {
  if (v === undefined || v === null) return undefined;
  const o = obj(v, what);
  if (!o.Hostname) return undefined;
  return instanceKey(o, what);
}

export function keyList(v: unknown, what: string): InstanceKey[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw new PayloadError(`${what} must be an array of keys`);
  return v.map((k, i) => instanceKey(k, `${what}[${i}]`));
}

/** A time field as stored form; required ones throw, optional ones give null. */
export function timeField(o: Record<string, unknown>, field: string, required: boolean): string | null {
  const v = o[field];
  if (v === undefined || v === null || v === '') {
    if (required) throw new PayloadError(`${field} is required`);
    return null;
  }
  if (typeof v !== 'string' || Number.isNaN(parseTime(v)))
    throw new PayloadError(`${field} must be an RFC 3339 time`);
  return toDbTime(v);
}

export function stringValue(v: unknown, what: string, nonEmpty: boolean): string {
  if (typeof v !== 'string') throw new PayloadError(`${what} must be a string`);
  if (nonEmpty && v === '') throw new PayloadError(`${what} must not be empty`);
  return v;
}
