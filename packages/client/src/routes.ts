// Which API routes change state. Reads are retried with backoff after failures; writes at most once,
// and only when the request cannot have run (see ApiConnection).

/** First path segments of the mutating routes (§6 kind W), after `slave` → `replica`. */
const WRITE_ROUTES = new Set([
  'discover',
  'async-discover',
  'refresh',
  'forget',
  'forget-cluster',
  'set-cluster-alias',
  'begin-downtime',
  'end-downtime',
  'begin-maintenance',
  'end-maintenance',
  'register-candidate',
  'register-hostname-unresolve',
  'deregister-hostname-unresolve',
  'tag',
  'untag',
  'untag-all',
  'submit-pool-instances',
  'submit-masters-to-kv-stores',
  'snapshot-topologies',
  'relocate',
  'relocate-replicas',
  'take-master',
  'enslave-master',
  'take-siblings',
  'make-co-master',
  'repoint',
  'repoint-replicas',
  'skip-query',
  'set-read-only',
  'set-writeable',
  'flush-binary-logs',
  'purge-binary-logs',
  'delay-replication',
  'kill-query',
  'enable-gtid',
  'disable-gtid',
  'recover',
  'recover-lite',
  'force-master-failover',
  'force-master-takeover',
  'ack-recovery',
  'ack-all-recoveries',
  'disable-global-recoveries',
  'enable-global-recoveries',
  'raft-yield',
  'raft-yield-hint',
  'raft-add-peer',
  'raft-remove-peer',
  'raft-snapshot',
  'reload-configuration',
  'reset-hostname-resolve-cache',
  'reelect',
  'grab-election',
]);

/** Route families recognised by prefix (move-*, match-*, start-replica, semi-sync, …). */
const WRITE_PREFIXES = [
  'move-',
  'match',
  'regroup-replicas',
  'graceful-master-takeover',
  'gtid-errant-',
  'enable-semi-sync-',
  'disable-semi-sync-',
];

const REPLICA_VERBS = new Set(['start', 'stop', 'restart', 'reset', 'detach', 'reattach']);

/** The first path segment of `path` ("instance/a/1?x" → "instance"), with `slave` read as `replica`. */
export function routeName(path: string): string {
  const first = path.replace(/^\/+/, '').split(/[/?]/, 1)[0] ?? '';
  return first.replaceAll('slave', 'replica');
}

/** False for the routes that change state (and for `restart-replica-statements`'s siblings). */
export function isIdempotentRoute(path: string): boolean {
  const name = routeName(path);
  if (WRITE_ROUTES.has(name)) return false;
  if (WRITE_PREFIXES.some((p) => name.startsWith(p))) return false;
  const [verb, noun] = name.split('-', 2);
  if (verb !== undefined && REPLICA_VERBS.has(verb) && noun === 'replica' && !name.endsWith('-statements')) {
    return false;
  }
  return true;
}

/** Encodes one path segment, leaving `:` `@` `,` readable as the reference client sends them. */
export function seg(value: string | number): string {
  return encodeURIComponent(String(value)).replace(/%3A/gi, ':').replace(/%40/g, '@').replace(/%2C/gi, ',');
}

/** `?name=value` with the value URL-encoded (spaces as %20, like jq's @uri). */
export function query(name: string, value: string): string {
  return `?${name}=${encodeURIComponent(value)}`;
}

/** `host/port`: the two path segments of an instance route. */
export function keyPath(key: { Hostname: string; Port: number }): string {
  return `${seg(key.Hostname)}/${seg(key.Port)}`;
}
