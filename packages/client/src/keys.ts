// Instance keys on the command line ("host[:port]") and in API paths ("host/port").
import type { InstanceKey } from './types.js';

export const DEFAULT_MYSQL_PORT = 3306;

/** Parses `host[:port]`; a missing port becomes `defaultPort`. Throws on an empty host or a bad port. */
export function parseInstanceKey(text: string, defaultPort = DEFAULT_MYSQL_PORT): InstanceKey {
  const at = text.lastIndexOf(':');
  const host = at < 0 ? text : text.slice(0, at);
  const portText = at < 0 ? String(defaultPort) : text.slice(at + 1);
  if (host === '') throw new TypeError(`invalid instance "${text}": empty hostname`);
  if (!/^\d+$/.test(portText) || Number(portText) < 1 || Number(portText) > 65535) {
    throw new TypeError(`invalid instance "${text}": port must be a number in 1..65535`);
  }
  return { Hostname: host, Port: Number(portText) };
}

/** `host:port`: how the reference client prints a key (a blank key prints as ":0"). */
export function formatKey(key: InstanceKey | null | undefined): string {
  return `${key?.Hostname ?? ''}:${key?.Port ?? 0}`;
}

/** The instance key inside a value that is either an Instance (has `Key`) or already a key. */
export function keyOf(value: unknown): InstanceKey | null {
  if (value === null || typeof value !== 'object') return null;
  const v = value as Record<string, unknown>;
  if (v.Key !== null && typeof v.Key === 'object') return v.Key as InstanceKey;
  if (typeof v.Hostname === 'string') return v as unknown as InstanceKey;
  return null;
}

/** True when `value` looks like an InstanceKey. */
export function isInstanceKey(value: unknown): value is InstanceKey {
  return (
    value !== null &&
    typeof value === 'object' &&
    typeof (value as InstanceKey).Hostname === 'string' &&
    typeof (value as InstanceKey).Port === 'number'
  );
}
