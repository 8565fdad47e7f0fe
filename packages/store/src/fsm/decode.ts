// Turning an entry's `value` into a payload: Go's base64-of-JSON, raw JSON values, or JSON text.
// Validation failures throw PayloadError, which the FSM turns into an FsmError before writing.
import type { InstanceKey } from '../model/instance.js';
import { parseTime, toDbTime } from '../time.js';

export class PayloadError extends Error {}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

function utf8(bytes: Uint8Array): string | undefined {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return undefined;
  }
}

/**
 * Decodes a value. `raw` ops (yield, yield-hint) carry a plain string rather than JSON. A string is
 * taken as base64 only when it decodes to valid JSON (or printable text for raw ops); otherwise the
 * string itself is the value.
 */
export function decodeValue(value: unknown, raw: boolean): unknown {
  if (value instanceof Uint8Array) {
    const text = utf8(value);
    if (text === undefined) throw new PayloadError('value bytes are not UTF-8');
    return raw ? text : parseJson(text);
  }
  if (typeof value !== 'string') return value;
  if (value.length > 0 && BASE64.test(value)) {
    const text = utf8(Buffer.from(value, 'base64'));
    if (text !== undefined) {
      if (raw) {
        if (/^[\x20-\x7e]*$/.test(text)) return text;
      } else {
        try {
          return JSON.parse(text);
        } catch {
          // Not base64 of JSON after all: fall through.
        }
      }
    }
  }
  if (!raw) {
    const t = value.trimStart();
    if (t.startsWith('{') || t.startsWith('[') || t.startsWith('"')) {
      try {
        return JSON.parse(value);
      } catch {
        // A plain string that merely starts with a bracket.
      }
    }
  }
  return value;
}

function parseJson(text: string): unknown {
  if (text === '') return '';
  try {
    return JSON.parse(text);
  } catch {
    throw new PayloadError('value is not valid JSON');
  }
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
