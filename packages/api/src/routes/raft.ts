// Raft endpoints of §1.8 and the leader checks load balancers and orchestrator-client use.
import { okEnvelope, reply } from '../envelope.js';
import { badParameter, failed } from '../errors.js';
import { parseNonNegativeInt, parseText } from '../params.js';
import type { RouteDef, RouteRequest } from '../route.js';

function requireRaft(req: RouteRequest): void {
  if (!req.deps.raft.enabled) throw failed('raft is not running: RaftEnabled is false');
}

async function leaderCheck(req: RouteRequest): Promise<unknown> {
  if (await req.deps.raft.isLeaderWithQuorum()) return 'OK';
  let status = 404;
  if (req.params.errorStatusCode !== undefined) {
    status = parseNonNegativeInt(req.params.errorStatusCode, 'errorStatusCode', 599);
    if (status < 200) status = 404;
  }
  return reply(status, 'Not leader');
}

/** `?force`, `?force=true|1` (on) or `?force=false|0` (off); anything else is a bad parameter. */
function parseForce(req: RouteRequest): boolean {
  if (!req.query.has('force')) return false;
  const value = (req.query.get('force') ?? '').trim().toLowerCase();
  if (value === '' || value === 'true' || value === '1') return true;
  if (value === 'false' || value === '0') return false;
  throw badParameter('force', 'expected no value, true, 1, false or 0', value);
}

/** A refused membership change answers its reason and the resulting voters as the envelope's Details. */
async function membershipChange(run: () => unknown): Promise<unknown> {
  try {
    return await run();
  } catch (err) {
    const e = err as { code?: unknown; message?: unknown; details?: unknown } | null;
    if (e?.code === 'MEMBERSHIP_CHANGE_REFUSED') throw failed(String(e.message), e.details ?? null, err);
    throw err;
  }
}

/** Raft routes that act on this node: the reference protects them like writes. */
function raftRoute(def: Omit<RouteDef, 'kind'> & { kind?: RouteDef['kind'] }): RouteDef {
  return { kind: 'local', ...def };
}

export const raftRoutes: RouteDef[] = [
  {
    name: 'leader-check',
    paths: ['leader-check', 'leader-check/:errorStatusCode'],
    kind: 'local',
    auth: 'none',
    handler: leaderCheck,
  },
  { name: 'routed-leader-check', paths: ['routed-leader-check'], kind: 'proxied', handler: leaderCheck },
  raftRoute({
    name: 'raft-state',
    paths: ['raft-state'],
    handler: (req) => {
      requireRaft(req);
      return req.deps.raft.state();
    },
  }),
  raftRoute({
    name: 'raft-leader',
    paths: ['raft-leader'],
    handler: (req) => {
      requireRaft(req);
      return req.deps.raft.leader();
    },
  }),
  raftRoute({
    name: 'raft-peers',
    paths: ['raft-peers'],
    handler: (req) => {
      requireRaft(req);
      return req.deps.raft.peers();
    },
  }),
  raftRoute({
    name: 'raft-health',
    paths: ['raft-health'],
    auth: 'none',
    handler: (req) => {
      requireRaft(req);
      const fault = req.deps.raft.storageFault?.();
      if (fault !== undefined) throw failed(`unhealthy: ${fault}`, { StorageFault: fault });
      const state = req.deps.raft.state();
      if (state === 'Leader' || state === 'Follower') return 'healthy';
      throw failed('unhealthy');
    },
  }),
  raftRoute({
    name: 'raft-status',
    paths: ['raft-status'],
    handler: (req) => {
      requireRaft(req);
      const r = req.deps.raft;
      const state = r.state();
      const fault = r.storageFault?.();
      return {
        ...(fault !== undefined ? { StorageFault: fault } : {}),
        RaftBind: r.raftBind,
        RaftAdvertise: r.raftAdvertise,
        State: state,
        Healthy: fault === undefined && (state === 'Leader' || state === 'Follower'),
        IsPartOfQuorum: r.isPartOfQuorum(),
        Leader: r.leader(),
        LeaderURI: r.leaderURI(),
        Peers: r.peers(),
        ...r.progress?.(),
      };
    },
  }),
  {
    // Ours (web interface): the leader's view of every member; followers forward it to the leader.
    name: 'raft-members',
    paths: ['raft-members'],
    kind: 'proxied',
    handler: (req) => {
      requireRaft(req);
      const r = req.deps.raft;
      return { Leader: r.leader(), State: r.state(), ...r.progress?.(), Members: r.members?.() ?? [] };
    },
  },
  raftRoute({
    name: 'raft-yield',
    paths: ['raft-yield/:node'],
    auth: 'write',
    handler: async (req) => {
      requireRaft(req);
      const node = parseText(req.params.node, 'node', 512);
      // As in the reference: only a leader acts, and publish errors are not reported.
      if (req.deps.raft.state() === 'Leader')
        await Promise.resolve(req.deps.raft.yield(node)).catch(() => undefined);
      return okEnvelope('Asynchronously yielded', node);
    },
  }),
  {
    // Ours (web interface): raft-yield answered by the leader — a follower forwards it instead of
    // acting (silently not) itself, so a browser talking to any node can move leadership.
    name: 'raft-transfer-leadership',
    paths: ['raft-transfer-leadership/:node'],
    kind: 'write',
    handler: async (req) => {
      requireRaft(req);
      const node = parseText(req.params.node, 'node', 512);
      if (!req.deps.raft.peers().includes(node)) {
        throw failed(`raft-transfer-leadership: ${node} is not a member`, { Peers: req.deps.raft.peers() });
      }
      await req.deps.raft.yield(node);
      return okEnvelope('Leadership transferred', node);
    },
  },
  raftRoute({
    name: 'raft-yield-hint',
    paths: ['raft-yield-hint/:hint'],
    auth: 'write',
    handler: async (req) => {
      requireRaft(req);
      const hint = parseText(req.params.hint, 'hint', 512);
      if (req.deps.raft.state() === 'Leader')
        await Promise.resolve(req.deps.raft.yieldHint(hint)).catch(() => undefined);
      return okEnvelope('Asynchronously yielded by hint', hint);
    },
  }),
  raftRoute({
    name: 'raft-snapshot',
    paths: ['raft-snapshot'],
    auth: 'write',
    handler: async (req) => {
      requireRaft(req);
      try {
        await req.deps.raft.snapshot();
      } catch (err) {
        throw failed(`Cannot create snapshot: ${(err as Error).message ?? String(err)}`, null, err);
      }
      return 'snapshot created';
    },
  }),
  raftRoute({
    name: 'raft-follower-health-report',
    paths: ['raft-follower-health-report/:token/:raftBind/:raftAdvertise'],
    handler: async (req) => {
      requireRaft(req);
      const token = parseText(req.params.token, 'token', 256);
      const bind = parseText(req.params.raftBind, 'raftBind', 512);
      const advertise = parseText(req.params.raftAdvertise, 'raftAdvertise', 512);
      const http = req.query.get('http');
      const httpURL = http === null || http === '' ? undefined : parseHttpURL(http, 'http');
      if (!(await req.deps.raft.reportHealth(token, bind, advertise, httpURL))) {
        throw failed('Cannot report health: unknown token', { Token: token });
      }
      return 'health reported';
    },
  }),
  {
    // Strict (ours): refused when fewer than a quorum of the resulting voters would be reachable;
    // `?force` skips the checks, for emergencies.
    name: 'raft-add-peer',
    paths: ['raft-add-peer/:addr'],
    kind: 'write',
    handler: async (req) => {
      requireRaft(req);
      const addr = parseText(req.params.addr, 'addr', 512);
      const force = parseForce(req);
      return membershipChange(() => req.deps.raft.addPeer(addr, { force }));
    },
  },
  {
    name: 'raft-remove-peer',
    paths: ['raft-remove-peer/:addr'],
    kind: 'write',
    handler: async (req) => {
      requireRaft(req);
      const addr = parseText(req.params.addr, 'addr', 512);
      const force = parseForce(req);
      return membershipChange(() => req.deps.raft.removePeer(addr, { force }));
    },
  },
];

/** An http(s) URL a node advertises for itself; anything else is a bad parameter. */
function parseHttpURL(value: string, param: string): string {
  const text = parseText(value, param, 512);
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw badParameter(param, 'not a URL', text);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw badParameter(param, 'must be an http or https URL', text);
  return text.replace(/\/+$/, '');
}
