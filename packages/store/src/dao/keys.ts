import type { InstanceKey } from '../model/instance.js';

/** "h:p,h:p" → keys (orchestrator's comma-delimited key lists). */
export function parseKeyList(value: unknown): InstanceKey[] {
  if (!value) return [];
  return String(value)
    .split(',')
    .filter((s) => s)
    .map((s) => {
      const i = s.lastIndexOf(':');
      return { Hostname: s.slice(0, i), Port: Number(s.slice(i + 1)) };
    });
}

export const rowKey = (r: Record<string, unknown>): InstanceKey => ({
  Hostname: String(r.hostname),
  Port: Number(r.port),
});
