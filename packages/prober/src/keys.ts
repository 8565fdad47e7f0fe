import type { InstanceKey } from '@orchestrator/model';

/** "host:port", orchestrator's key string. */
export function keyString(key: InstanceKey): string {
  return `${key.Hostname}:${key.Port}`;
}

/** Parses "host:port" (port defaults to 3306); undefined when malformed. */
export function parseKey(text: string): InstanceKey | undefined {
  const at = text.lastIndexOf(':');
  const host = at < 0 ? text : text.slice(0, at);
  const port = at < 0 ? 3306 : Number(text.slice(at + 1));
  if (!host || !Number.isInteger(port) || port <= 0 || port > 65535) return undefined;
  return { Hostname: host, Port: port };
}

/** True when the key names a real server (orchestrator treats '' and '_' as "no master"). */
export function isValidKey(key: InstanceKey): boolean {
  return key.Hostname !== '' && key.Hostname !== '_' && key.Port > 0;
}
