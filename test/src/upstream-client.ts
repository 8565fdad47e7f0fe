// How the upstream bash `orchestrator-client` (resources/bin/orchestrator-client in
// openark/orchestrator, 3.2.x) words its HTTP requests, command by command, so tests can send
// exactly what it sends: its paths, its trailing slashes, and its encoding. The script URL-encodes
// with `echo "$1" | jq -s -R -r @uri | tr -d '\n'`: echo adds a newline and jq encodes it, so every
// encoded argument ends in %0A. Some arguments it sends raw, and two it word-splits (`urlencode
// $reason`, unquoted: only the first word is sent). Every request is a plain GET, as curl sends it.
//
// This is our model of the script, written from reading it; the script itself is not copied here.
import { request as httpRequest } from 'node:http';

/** The command-line flags the script takes (long names; the script's defaults applied by `resolve`). */
export interface UpstreamFlags {
  readonly instance?: string;
  readonly destination?: string;
  readonly alias?: string;
  readonly owner?: string;
  readonly reason?: string;
  readonly duration?: string;
  readonly promotionRule?: string;
  readonly tag?: string;
  readonly pool?: string;
  readonly hostname?: string;
  readonly path?: string;
  readonly query?: string;
  readonly binlog?: string;
  readonly seconds?: string;
}

interface Resolved {
  /** `$instance` as given (search, submit-pool-instances and the `-a|-i` hints use it raw). */
  readonly instance: string;
  /** `to_hostport $instance`: host:port → host/port, a bare host → host/3306. */
  readonly instanceHostport: string;
  readonly destinationHostport: string;
  readonly alias: string;
  readonly owner: string;
  readonly reason: string;
  readonly duration: string;
  readonly promotionRule: string;
  readonly tag: string;
  readonly pool: string;
  readonly hostname: string;
  readonly path: string;
  readonly query: string;
  readonly binlog: string;
  readonly seconds: string;
  /** `${alias:-$instance}` */
  readonly hint: string;
}

/** jq 1.6's @uri (Debian 12): every byte but A–Z a–z 0–9 - _ . ! ~ * ' ( ) becomes %XX. */
export function jqUri(text: string): string {
  let out = '';
  for (const byte of Buffer.from(text, 'utf8')) {
    const c = String.fromCharCode(byte);
    out += /[A-Za-z0-9\-_.!~*'()]/.test(c) ? c : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** The script's `urlencode "$value"`: echo's newline included. */
export function urlencode(value: string): string {
  return jqUri(`${value}\n`);
}

/** `urlencode $value` unquoted: bash passes only the first word. */
function urlencodeUnquoted(value: string): string {
  return urlencode(value.trim().split(/\s+/)[0] ?? '');
}

export function toHostport(instance: string, defaultPort = 3306): string {
  if (instance === '') return '';
  return instance.includes(':') ? instance.replaceAll(':', '/') : `${instance}/${defaultPort}`;
}

/** The flags with the script's defaults: owner `$(whoami)`, duration 10m. */
export function resolve(flags: UpstreamFlags, whoami = 'root'): Resolved {
  const instance = flags.instance ?? '';
  const alias = flags.alias ?? '';
  return {
    instance,
    instanceHostport: toHostport(instance),
    destinationHostport: toHostport(flags.destination ?? ''),
    alias,
    owner: flags.owner ?? whoami,
    reason: flags.reason ?? '',
    duration: flags.duration ?? '10m',
    promotionRule: flags.promotionRule ?? '',
    tag: flags.tag ?? '',
    pool: flags.pool ?? '',
    hostname: flags.hostname ?? '',
    path: flags.path ?? '',
    query: flags.query ?? '',
    binlog: flags.binlog ?? '',
    seconds: flags.seconds ?? '',
    hint: alias || instance,
  };
}

type Requests = (f: Resolved) => string[];

const instanceCommand: Requests = (f) => [`${COMMAND}/${f.instanceHostport}`];
const COMMAND = '<command>';
const relocate: Requests = (f) => [`${COMMAND}/${f.instanceHostport}/${f.destinationHostport}`];
const singularRelocate: Requests = (f) => [`${COMMAND}/${f.instanceHostport}`];
const relocateReplicas: Requests = (f) => [`${COMMAND}/${f.instanceHostport}/${f.destinationHostport}`];
const takeover =
  (route: string): Requests =>
  (f) => [
    f.destinationHostport === '' ? `${route}/${f.hint}` : `${route}/${f.hint}/${f.destinationHostport}`,
  ];
/** raft-leader & co first ask raft-state and go on only when it says Leader. */
const afterRaftState =
  (...then: Requests[]): Requests =>
  (f) => ['raft-state', ...then.flatMap((t) => t(f))];

/**
 * Every command of the script's `run_command`, with the requests it sends after finding the leader
 * (`<command>` stands for the command name, as the script's generic functions use `$command`).
 */
export const UPSTREAM_COMMANDS: Readonly<Record<string, Requests>> = {
  help: () => [],
  'which-api': () => [],
  api: (f) => [f.path],
  'async-discover': (f) => [`async-discover/${f.instanceHostport}`],
  discover: (f) => [`discover/${f.instanceHostport}`],
  forget: (f) => [`forget/${f.instanceHostport}`],
  'forget-cluster': (f) => [`forget-cluster/${f.hint}`],
  topology: (f) => [`topology/${f.hint}`],
  'topology-tabulated': (f) => [`topology-tabulated/${f.hint}`],
  'topology-tags': (f) => [`topology-tags/${f.hint}`],
  'snapshot-topologies': () => ['snapshot-topologies'],
  clusters: () => ['clusters-info'],
  'clusters-alias': () => ['clusters-info'],
  search: (f) => [`search?s=${urlencode(f.instance)}`],
  instance: (f) => [`instance/${f.instanceHostport}`],
  'which-instance': (f) => [`instance/${f.instanceHostport}`],
  'which-master': (f) => [`instance/${f.instanceHostport}`],
  'which-replicas': (f) => [`instance-replicas/${f.instanceHostport}`],
  'which-broken-replicas': (f) => [`instance-replicas/${f.instanceHostport}`],
  'which-cluster-instances': (f) => [`cluster/${f.hint}`],
  'which-cluster': (f) => [`cluster-info/${f.hint}`],
  'which-cluster-alias': (f) => [`cluster-info/${f.hint}`],
  'which-cluster-master': (f) => [`master/${f.hint}`],
  'all-clusters-masters': () => ['masters'],
  'all-instances': () => ['all-instances'],
  'which-cluster-osc-replicas': (f) => [`cluster-osc-replicas/${f.hint}`],
  'which-cluster-osc-running-replicas': (f) => [`cluster-osc-replicas/${f.hint}`],
  downtimed: (f) => [`downtimed/${f.hint}`],
  'dominant-dc': () => ['masters'],
  'submit-masters-to-kv-stores': (f) => [`submit-masters-to-kv-stores/${f.alias}`],
  relocate: (f) => [`relocate/${f.instanceHostport}/${f.destinationHostport}`],
  'relocate-replicas': (f) => [`relocate-replicas/${f.instanceHostport}/${f.destinationHostport}`],
  match: relocate,
  'match-up': singularRelocate,
  'match-up-replicas': relocateReplicas,
  'move-up': singularRelocate,
  'move-below': relocate,
  'move-equivalent': relocate,
  'move-up-replicas': relocateReplicas,
  'make-co-master': singularRelocate,
  'take-master': singularRelocate,
  'move-gtid': relocate,
  'move-replicas-gtid': relocateReplicas,
  repoint: relocate,
  'repoint-replicas': relocateReplicas,
  'take-siblings': singularRelocate,
  tags: (f) => [`tags/${f.instanceHostport}`],
  'tag-value': (f) => [`tag-value/${f.instanceHostport}?tag=${urlencode(f.tag)}`],
  tag: (f) => [`tag/${f.instanceHostport}?tag=${urlencode(f.tag)}`],
  untag: (f) => [`untag/${f.instanceHostport}?tag=${f.tag}`],
  'untag-all': (f) => [`untag-all?tag=${f.tag}`],
  tagged: (f) => [`tagged/${f.instanceHostport}?tag=${urlencode(f.tag)}`],
  'submit-pool-instances': (f) => [`submit-pool-instances/${f.pool}?instances=${urlencode(f.instance)}`],
  'which-heuristic-cluster-pool-instances': (f) => [`heuristic-cluster-pool-instances/${f.hint}/${f.pool}`],
  'begin-downtime': (f) => [
    `begin-downtime/${f.instanceHostport}/${urlencode(f.owner)}/${urlencode(f.reason)}/${f.duration}`,
  ],
  'end-downtime': (f) => [`end-downtime/${f.instanceHostport}`],
  'begin-maintenance': (f) => [
    `begin-maintenance/${f.instanceHostport}/${urlencode(f.owner)}/${urlencode(f.reason)}`,
  ],
  'end-maintenance': (f) => [`end-maintenance/${f.instanceHostport}`],
  'register-candidate': (f) => [`register-candidate/${f.instanceHostport}/${f.promotionRule}`],
  'register-hostname-unresolve': (f) => [`register-hostname-unresolve/${f.instanceHostport}/${f.hostname}`],
  'deregister-hostname-unresolve': (f) => [`deregister-hostname-unresolve/${f.instanceHostport}`],
  'stop-replica': instanceCommand,
  'stop-replica-nice': instanceCommand,
  'start-replica': instanceCommand,
  'restart-replica': instanceCommand,
  'reset-replica': instanceCommand,
  'detach-replica': instanceCommand,
  'reattach-replica': instanceCommand,
  'detach-replica-master-host': instanceCommand,
  'reattach-replica-master-host': instanceCommand,
  'skip-query': instanceCommand,
  'which-gtid-errant': (f) => [`instance/${f.instanceHostport}`],
  'locate-gtid-errant': (f) => [`locate-gtid-errant/${f.instanceHostport}`],
  'gtid-errant-reset-master': instanceCommand,
  'gtid-errant-inject-empty': instanceCommand,
  'enable-semi-sync-master': instanceCommand,
  'disable-semi-sync-master': instanceCommand,
  'enable-semi-sync-replica': instanceCommand,
  'disable-semi-sync-replica': instanceCommand,
  'restart-replica-statements': (f) => [
    `restart-replica-statements/${f.instanceHostport}?q=${urlencode(f.query)}`,
  ],
  'delay-replication': (f) => [`${COMMAND}/${f.instanceHostport}/${f.seconds}`],
  'can-replicate-from': (f) => [`can-replicate-from/${f.instanceHostport}/${f.destinationHostport}`],
  'can-replicate-from-gtid': (f) => [
    `can-replicate-from-gtid/${f.instanceHostport}/${f.destinationHostport}`,
  ],
  'is-replicating': (f) => [`instance/${f.instanceHostport}`],
  'is-replication-stopped': (f) => [`instance/${f.instanceHostport}`],
  'set-read-only': instanceCommand,
  'set-writeable': instanceCommand,
  'flush-binary-logs': instanceCommand,
  'purge-binary-logs': (f) => [`purge-binary-logs/${f.instanceHostport}/${f.binlog}`],
  'last-pseudo-gtid': (f) => [`last-pseudo-gtid/${f.instanceHostport}`],
  recover: (f) => [`recover/${f.instanceHostport}`],
  'graceful-master-takeover': takeover('graceful-master-takeover'),
  'graceful-master-takeover-auto': takeover('graceful-master-takeover-auto'),
  'force-master-failover': (f) => [`force-master-failover/${f.hint}`],
  'force-master-takeover': (f) => [`force-master-takeover/${f.hint}/${f.destinationHostport}`],
  'ack-cluster-recoveries': (f) => [`ack-recovery/cluster/${f.hint}?comment=${urlencodeUnquoted(f.reason)}`],
  'ack-all-recoveries': (f) => [`ack-all-recoveries?comment=${urlencodeUnquoted(f.reason)}`],
  'disable-global-recoveries': () => ['disable-global-recoveries'],
  'enable-global-recoveries': () => ['enable-global-recoveries'],
  'check-global-recoveries': () => ['check-global-recoveries'],
  'replication-analysis': () => ['replication-analysis'],
  'raft-leader': afterRaftState(() => ['raft-leader']),
  'raft-health': () => ['raft-health'],
  'raft-leader-hostname': afterRaftState(() => ['status']),
  'raft-elect-leader': afterRaftState((f) => [`raft-yield-hint/${f.hostname}`]),
};

/** The script rewrites `slave` to `replica` in the command before dispatching (stop-slave → stop-replica). */
export function normalizeCommand(command: string): string {
  return command.replace('slave', 'replica');
}

/** The requests (paths under the API base) the script sends for one command line, after finding the leader. */
export function upstreamRequests(command: string, flags: UpstreamFlags = {}): string[] {
  const name = normalizeCommand(command);
  const build = UPSTREAM_COMMANDS[name];
  if (build === undefined) throw new Error(`the upstream client has no command ${command}`);
  return build(resolve(flags)).map((path) => path.replaceAll(COMMAND, name));
}

/**
 * Leader detection with several API URLs: `leader-check` on each in turn (curl -m 1), the first 200
 * wins; failing that, `routed-leader-check` on each.
 */
export const LEADER_DETECTION = ['leader-check', 'routed-leader-check'] as const;

/** A GET as curl sends it: the path's bytes unchanged (no re-encoding), curl's default headers. */
export function curlGet(
  api: string,
  path: string,
  timeoutMs = 30_000,
): Promise<{ status: number; text: string; headers: Record<string, string | string[] | undefined> }> {
  const base = new URL(api);
  return new Promise((resolvePromise, reject) => {
    const req = httpRequest(
      {
        host: base.hostname,
        port: base.port,
        method: 'GET',
        path: `${base.pathname.replace(/\/+$/, '')}/${path}`,
        headers: { 'User-Agent': 'curl/7.88.1', Accept: '*/*' },
        timeout: timeoutMs,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolvePromise({
            status: res.statusCode ?? 0,
            text: Buffer.concat(chunks).toString('utf8'),
            headers: res.headers,
          }),
        );
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`GET ${path}: no answer within ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end();
  });
}

/** `detect_leader_api` with several URLs: the first answering leader-check 200 (curl -m 1), else routed-leader-check. */
export async function detectLeaderApi(apis: readonly string[]): Promise<string> {
  for (const check of LEADER_DETECTION) {
    for (const api of apis) {
      const r = await curlGet(api, check, 1000).catch(() => undefined);
      if (r?.status === 200) return api;
    }
  }
  throw new Error(`Cannot determine leader from ${apis.join(' ')}`);
}
