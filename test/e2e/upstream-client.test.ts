// The reference's own client against our 3-node cluster: every command of the upstream bash
// orchestrator-client, its requests built exactly as the script builds them (paths, trailing
// slashes, `echo | jq @uri` encoding with its %0A, raw and word-split arguments), sent as curl sends
// them after the script's own leader detection. An operator session in order: reads, operator
// writes, replication control, moves, recoveries, raft, then takeovers and forgetting.
//
// No answer may be a parameter error or a missing route; deterministic commands must succeed; and
// what the operator typed must arrive intact (downtime owner and reason, tags, comments).
import { type MariaDBServer, startMariaDB, startMariaDBTopology, type Topology } from '@orchestrator/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, OrchestratorCluster, topologyConfig } from '../src/index.js';
import {
  curlGet,
  detectLeaderApi,
  UPSTREAM_COMMANDS,
  type UpstreamFlags,
  upstreamRequests,
} from '../src/upstream-client.js';

/**
 * ok: HTTP 200 and not an ERROR envelope. answers: JSON either way (the outcome depends on the
 * topology's state at that moment, or it is a deliberate refusal), never a parameter error or a
 * missing route.
 */
type Expectation = 'ok' | 'answers';

interface Step {
  readonly command: string;
  readonly flags?: UpstreamFlags;
  readonly expect: Expectation;
  /** Inspects the last answer's JSON; returns what is wrong, or undefined. */
  readonly check?: (body: unknown) => string | undefined | Promise<string | undefined>;
}

interface Envelope {
  Code?: string;
  Message?: string;
  Details?: unknown;
}

const envelope = (body: unknown): Envelope => (body && typeof body === 'object' ? (body as Envelope) : {});
const isError = (body: unknown): boolean => envelope(body).Code === 'ERROR';
/** What must never come back, whatever the state: the script's arguments were not understood. */
const PARAMETER_OR_ROUTE = /invalid parameter|no such route|not found: \/|unknown route/i;

describe('the upstream orchestrator-client, request for request', () => {
  let topology: Topology;
  let standalone: MariaDBServer;
  let cluster: OrchestratorCluster;
  let apis: string[];
  const hp = (port: number) => `127.0.0.1:${port}`;
  let M = '';
  let R1 = '';
  let R2 = '';
  let R3 = '';
  let S = '';

  beforeAll(async () => {
    [topology, standalone] = await Promise.all([startMariaDBTopology({ replicas: 3 }), startMariaDB()]);
    M = hp(topology.master);
    [R1, R2, R3] = topology.replicas.map(hp) as [string, string, string];
    S = hp(standalone.port);
    cluster = await OrchestratorCluster.start({
      nodes: 3,
      config: () => ({ ...topologyConfig(topology, 1), RecoverMasterClusterFilters: [] }),
    });
    const leader = await cluster.waitForLeader();
    await cluster.waitForFollowers();
    apis = cluster.nodes.map((n) => n.api);
    await eventually(
      'the topology discovered',
      async () => {
        const r = await leader.get<{ ClusterName: string; CountInstances: number }[]>('clusters-info');
        return r.body.find?.((c) => c.ClusterName === M)?.CountInstances === 4 ? true : undefined;
      },
      30_000,
    );
    const alias = await leader.get<Envelope>(`set-cluster-alias/${M}?alias=main`);
    expect(alias.body.Code, alias.text).toBe('OK');
    await eventually('the alias', async () => {
      const r = await leader.get<{ ClusterAlias: string }>('cluster-info/main');
      return r.body.ClusterAlias === 'main' ? true : undefined;
    });
  }, 180_000);

  afterAll(async () => {
    await cluster?.destroy();
    await Promise.all([topology?.destroy(), standalone?.destroy()]);
  });

  /** Reads a route on the leader as a plain client would (for checks, not part of a command). */
  async function read(path: string): Promise<unknown> {
    const api = await detectLeaderApi(apis);
    const r = await curlGet(api, path);
    return JSON.parse(r.text);
  }

  const keys = (body: unknown): string[] =>
    Array.isArray(body)
      ? body.map((i: { Key?: { Hostname: string; Port: number } }) => `${i.Key?.Hostname}:${i.Key?.Port}`)
      : [];

  function steps(): Step[] {
    const list: Step[] = [
      { command: 'help', expect: 'ok' },
      { command: 'which-api', expect: 'ok' },
      { command: 'api', flags: { path: 'clusters' }, expect: 'ok' },
      {
        command: 'discover',
        flags: { instance: S },
        expect: 'ok',
        check: (b) =>
          (envelope(b).Details as { Key?: { Port?: number } } | undefined)?.Key?.Port === standalone.port
            ? undefined
            : 'Details.Key is not the discovered instance',
      },
      { command: 'async-discover', flags: { instance: S }, expect: 'ok' },
      { command: 'clusters', expect: 'ok' },
      { command: 'clusters-alias', expect: 'ok' },
      {
        command: 'search',
        flags: { instance: M },
        expect: 'ok',
        check: (b) =>
          keys(b).includes(M) ? undefined : `search for ${M} did not find it: ${JSON.stringify(b)}`,
      },
      { command: 'instance', flags: { instance: R1 }, expect: 'ok' },
      { command: 'which-instance', flags: { instance: R1 }, expect: 'ok' },
      { command: 'which-master', flags: { instance: R1 }, expect: 'ok' },
      { command: 'which-replicas', flags: { instance: M }, expect: 'ok' },
      { command: 'which-broken-replicas', flags: { instance: M }, expect: 'ok' },
      { command: 'which-cluster-instances', flags: { alias: 'main' }, expect: 'ok' },
      { command: 'which-cluster', flags: { instance: R1 }, expect: 'ok' },
      { command: 'which-cluster-alias', flags: { instance: R1 }, expect: 'ok' },
      { command: 'which-cluster-master', flags: { alias: 'main' }, expect: 'ok' },
      { command: 'all-clusters-masters', expect: 'ok' },
      { command: 'all-instances', expect: 'ok' },
      { command: 'dominant-dc', expect: 'ok' },
      { command: 'which-cluster-osc-replicas', flags: { alias: 'main' }, expect: 'ok' },
      { command: 'which-cluster-osc-running-replicas', flags: { alias: 'main' }, expect: 'ok' },
      { command: 'topology', flags: { alias: 'main' }, expect: 'ok' },
      { command: 'topology-tabulated', flags: { alias: 'main' }, expect: 'ok' },
      { command: 'topology-tags', flags: { instance: M }, expect: 'ok' },
      { command: 'snapshot-topologies', expect: 'ok' },
      { command: 'submit-masters-to-kv-stores', expect: 'ok' },
      { command: 'submit-masters-to-kv-stores', flags: { alias: 'main' }, expect: 'ok' },

      // Tags: the script encodes the tag for tag, tag-value and tagged, and sends it raw for untag.
      { command: 'tag', flags: { instance: R1, tag: 'role=backup' }, expect: 'ok' },
      {
        command: 'tags',
        flags: { instance: R1 },
        expect: 'ok',
        check: (b) =>
          JSON.stringify(b).includes('"role=backup"') ? undefined : `tags: ${JSON.stringify(b)}`,
      },
      {
        command: 'tag-value',
        flags: { instance: R1, tag: 'role' },
        expect: 'ok',
        check: (b) => (b === 'backup' ? undefined : `tag-value: ${JSON.stringify(b)}`),
      },
      {
        command: 'tagged',
        flags: { tag: 'role=backup' },
        expect: 'ok',
        check: (b) =>
          JSON.stringify(b).includes(`${topology.replicas[0]}`) ? undefined : `tagged: ${JSON.stringify(b)}`,
      },
      { command: 'untag', flags: { instance: R1, tag: 'role' }, expect: 'ok' },
      { command: 'tag', flags: { instance: R2, tag: 'rack' }, expect: 'ok' },
      { command: 'untag-all', flags: { tag: 'rack' }, expect: 'ok' },

      // Pools: the instance list is encoded with its %0A.
      {
        command: 'submit-pool-instances',
        flags: { instance: `${R1},${R2}`, pool: 'analytics' },
        expect: 'ok',
      },
      {
        command: 'which-heuristic-cluster-pool-instances',
        flags: { alias: 'main', pool: 'analytics' },
        expect: 'ok',
        check: (b) =>
          keys(envelope(b).Details).sort().join(',') === [R1, R2].sort().join(',')
            ? undefined
            : `pool analytics: ${JSON.stringify(b)}`,
      },
      { command: 'which-heuristic-cluster-pool-instances', flags: { alias: 'main' }, expect: 'ok' },

      // Downtime and maintenance: owner defaults to `whoami`, both encoded with a trailing %0A.
      {
        command: 'begin-downtime',
        flags: { instance: R3, reason: 'acceptance test', duration: '10m' },
        expect: 'ok',
        check: async () => {
          const i = (await read(`instance/${R3.replace(':', '/')}`)) as Record<string, unknown>;
          return i.IsDowntimed === true &&
            i.DowntimeOwner === 'root' &&
            i.DowntimeReason === 'acceptance test'
            ? undefined
            : `downtime as stored: ${JSON.stringify({ owner: i.DowntimeOwner, reason: i.DowntimeReason, on: i.IsDowntimed })}`;
        },
      },
      {
        command: 'downtimed',
        expect: 'ok',
        check: (b) => (keys(b).includes(R3) ? undefined : `downtimed: ${JSON.stringify(b)}`),
      },
      { command: 'downtimed', flags: { alias: 'main' }, expect: 'ok' },
      { command: 'end-downtime', flags: { instance: R3 }, expect: 'ok' },
      {
        command: 'begin-maintenance',
        flags: { instance: R3, reason: 'acceptance test' },
        expect: 'ok',
        check: async () => {
          const m = JSON.stringify(await read('maintenance'));
          return m.includes('"root"') && m.includes('"acceptance test"') ? undefined : `maintenance: ${m}`;
        },
      },
      { command: 'end-maintenance', flags: { instance: R3 }, expect: 'ok' },
      { command: 'register-candidate', flags: { instance: R1, promotionRule: 'prefer' }, expect: 'ok' },
      {
        command: 'register-hostname-unresolve',
        flags: { instance: R1, hostname: 'virtual-r1' },
        expect: 'ok',
      },
      { command: 'deregister-hostname-unresolve', flags: { instance: R1 }, expect: 'ok' },

      // Replication control on one replica ("slave" is rewritten to "replica" by the script).
      { command: 'stop-replica', flags: { instance: R3 }, expect: 'ok' },
      { command: 'is-replication-stopped', flags: { instance: R3 }, expect: 'ok' },
      { command: 'start-replica', flags: { instance: R3 }, expect: 'ok' },
      { command: 'is-replicating', flags: { instance: R3 }, expect: 'ok' },
      { command: 'restart-replica', flags: { instance: R3 }, expect: 'ok' },
      { command: 'stop-replica-nice', flags: { instance: R3 }, expect: 'ok' },
      { command: 'start-slave', flags: { instance: R3 }, expect: 'ok' },
      { command: 'set-writeable', flags: { instance: R3 }, expect: 'ok' },
      { command: 'set-read-only', flags: { instance: R3 }, expect: 'ok' },
      { command: 'flush-binary-logs', flags: { instance: R3 }, expect: 'ok' },
      { command: 'delay-replication', flags: { instance: R3, seconds: '0' }, expect: 'ok' },
      {
        command: 'restart-replica-statements',
        flags: { instance: R3, query: 'SET GLOBAL max_connections = 500' },
        expect: 'ok',
      },
      { command: 'which-gtid-errant', flags: { instance: R3 }, expect: 'ok' },
      // The reference refuses too when there is no errant GTID to locate.
      { command: 'locate-gtid-errant', flags: { instance: R3 }, expect: 'answers' },
      { command: 'can-replicate-from', flags: { instance: R3, destination: R2 }, expect: 'ok' },
      { command: 'can-replicate-from-gtid', flags: { instance: R3, destination: R2 }, expect: 'ok' },
      { command: 'enable-semi-sync-replica', flags: { instance: R3 }, expect: 'ok' },
      { command: 'disable-semi-sync-replica', flags: { instance: R3 }, expect: 'ok' },
      { command: 'enable-semi-sync-master', flags: { instance: M }, expect: 'ok' },
      { command: 'disable-semi-sync-master', flags: { instance: M }, expect: 'ok' },
      { command: 'detach-replica', flags: { instance: R3 }, expect: 'ok' },
      { command: 'reattach-replica', flags: { instance: R3 }, expect: 'ok' },
      { command: 'detach-replica-master-host', flags: { instance: R3 }, expect: 'ok' },
      { command: 'reattach-replica-master-host', flags: { instance: R3 }, expect: 'ok' },
      { command: 'start-replica', flags: { instance: R3 }, expect: 'answers' },
      { command: 'skip-query', flags: { instance: R3 }, expect: 'answers' },
      { command: 'gtid-errant-reset-master', flags: { instance: R3 }, expect: 'answers' },
      { command: 'gtid-errant-inject-empty', flags: { instance: R3 }, expect: 'answers' },
      {
        command: 'purge-binary-logs',
        flags: { instance: R3, binlog: 'mariadb-bin.000001' },
        expect: 'answers',
      },
      { command: 'last-pseudo-gtid', flags: { instance: M }, expect: 'answers' },
      { command: 'reset-replica', flags: { instance: S }, expect: 'answers' },

      // Moves, by GTID, in a sequence that keeps the topology whole.
      { command: 'start-replica', flags: { instance: R3 }, expect: 'answers' },
      { command: 'relocate', flags: { instance: R3, destination: R2 }, expect: 'ok' },
      { command: 'move-up', flags: { instance: R3 }, expect: 'ok' },
      { command: 'move-below', flags: { instance: R3, destination: R2 }, expect: 'ok' },
      { command: 'move-up', flags: { instance: R3 }, expect: 'ok' },
      // move-gtid: the reference never registered the route the script calls; served here.
      { command: 'move-gtid', flags: { instance: R3, destination: R2 }, expect: 'ok' },
      { command: 'move-replicas-gtid', flags: { instance: R2, destination: M }, expect: 'ok' },
      { command: 'relocate-replicas', flags: { instance: M, destination: R1 }, expect: 'ok' },
      { command: 'repoint-replicas', flags: { instance: R1 }, expect: 'answers' },
      { command: 'move-up-replicas', flags: { instance: R1 }, expect: 'ok' },
      { command: 'repoint', flags: { instance: R3, destination: M }, expect: 'answers' },
      { command: 'take-siblings', flags: { instance: R1 }, expect: 'answers' },
      { command: 'move-up-replicas', flags: { instance: R1 }, expect: 'answers' },
      { command: 'match', flags: { instance: R3, destination: R2 }, expect: 'answers' },
      { command: 'match-up', flags: { instance: R3 }, expect: 'answers' },
      { command: 'match-up-replicas', flags: { instance: R2 }, expect: 'answers' },
      { command: 'move-equivalent', flags: { instance: R3, destination: R2 }, expect: 'answers' },
      { command: 'make-co-master', flags: { instance: R1 }, expect: 'answers' },
      { command: 'take-master', flags: { instance: R1 }, expect: 'answers' },

      // Recoveries: the ack comment is word-split by the script (only "acceptance" is sent).
      {
        command: 'ack-cluster-recoveries',
        flags: { alias: 'main', reason: 'acceptance test' },
        expect: 'ok',
      },
      { command: 'ack-all-recoveries', flags: { reason: 'acceptance test' }, expect: 'ok' },
      { command: 'disable-global-recoveries', expect: 'ok' },
      {
        command: 'check-global-recoveries',
        expect: 'ok',
        check: (b) =>
          envelope(b).Details === 'disabled' ? undefined : `check-global-recoveries: ${JSON.stringify(b)}`,
      },
      { command: 'enable-global-recoveries', expect: 'ok' },
      { command: 'replication-analysis', expect: 'ok' },
      { command: 'recover', flags: { instance: M }, expect: 'answers' },

      // Raft: the script asks raft-state first and goes on only when it says Leader.
      { command: 'raft-leader', expect: 'ok' },
      { command: 'raft-health', expect: 'ok' },
      { command: 'raft-leader-hostname', expect: 'ok' },
      { command: 'raft-elect-leader', flags: { hostname: String(cluster.nodes[1]!.raftPort) }, expect: 'ok' },

      // Takeovers last: they change the master.
      { command: 'graceful-master-takeover', flags: { alias: 'main', destination: R1 }, expect: 'answers' },
      { command: 'graceful-master-takeover-auto', flags: { alias: 'main' }, expect: 'answers' },
      { command: 'force-master-takeover', flags: { alias: 'main', destination: R2 }, expect: 'answers' },
      { command: 'force-master-failover', flags: { alias: 'main' }, expect: 'answers' },
      { command: 'forget', flags: { instance: S }, expect: 'ok' },
      { command: 'forget-cluster', flags: { instance: S }, expect: 'answers' },
    ];
    return list;
  }

  it('every command the script has is exercised here', () => {
    const exercised = new Set(steps().map((s) => s.command.replace('slave', 'replica')));
    expect(Object.keys(UPSTREAM_COMMANDS).filter((c) => !exercised.has(c))).toEqual([]);
  });

  it('answers every request as the script sends it; what the operator typed arrives intact', async () => {
    const problems: string[] = [];
    let sent = 0;
    for (const step of steps()) {
      const api = await eventually(`a leader for ${step.command}`, () => detectLeaderApi(apis), 15_000);
      let last: unknown;
      for (const path of upstreamRequests(step.command, step.flags)) {
        sent++;
        const r = await curlGet(api, path);
        let body: unknown;
        try {
          body = JSON.parse(r.text); // the script pipes every answer through `jq '.'`
        } catch {
          problems.push(`${step.command}: GET ${path}: not JSON (HTTP ${r.status}): ${r.text.slice(0, 200)}`);
          break;
        }
        const message = envelope(body).Message ?? '';
        if (r.status === 404 || PARAMETER_OR_ROUTE.test(message)) {
          problems.push(`${step.command}: GET ${path}: HTTP ${r.status}: ${r.text.slice(0, 300)}`);
          break;
        }
        if (step.expect === 'ok' && (r.status !== 200 || isError(body))) {
          problems.push(
            `${step.command}: GET ${path}: expected success, got HTTP ${r.status}: ${r.text.slice(0, 300)}`,
          );
          break;
        }
        if (path === 'raft-state' && !JSON.stringify(body).includes('Leader')) {
          problems.push(`${step.command}: raft-state does not say Leader: ${r.text}`);
          break;
        }
        last = body;
      }
      if (step.check && last !== undefined) {
        const wrong = await step.check(last);
        if (wrong) problems.push(`${step.command}: ${wrong}`);
      }
    }
    console.log(`upstream orchestrator-client: ${steps().length} command lines, ${sent} requests`);
    expect(problems).toEqual([]);
  }, 600_000);
});
