// Text output of the commands, matching the reference client's jq filters.
import { formatKey, isInstanceKey, keyOf } from '../keys.js';
import type { InstanceKey } from '../types.js';

/** `jq -r .`: a string as is, anything else as 2-space indented JSON (null → "null"). */
export function rawText(value: unknown): string {
  return typeof value === 'string' ? value : (JSON.stringify(value ?? null, null, 2) ?? 'null');
}

/** `host:port` of an Instance (its Key) or of a key. */
export function keyLine(value: unknown): string {
  return formatKey(keyOf(value));
}

/** One `host:port` line per element (Instances or keys); null → no lines. */
export function keyLines(values: unknown): string[] {
  return Array.isArray(values) ? values.map(keyLine) : [];
}

/** `key<master` for a moved instance. */
export function moveLine(instance: unknown): string {
  const master = (instance as { MasterKey?: InstanceKey } | null)?.MasterKey;
  return `${keyLine(instance)}<${formatKey(master)}`;
}

/** One line per element, each as `jq -r '.[]'` prints it. */
export function rawLines(values: unknown): string[] {
  return Array.isArray(values) ? values.map(rawText) : [];
}

/** A Details value: a key as `host:port`, anything else as `jq -r .` prints it. */
export function valueText(value: unknown): string {
  return isInstanceKey(value) ? formatKey(value) : rawText(value);
}
