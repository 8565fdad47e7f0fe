// Health probes for orchestrated deployments (Kubernetes and the like), named as the ProxySQL fork
// of orchestrator names them: `<URLPrefix>/health/live`, `/health/ready`, `/health/leader`. They
// sit outside /api, are never proxied (each answers for the node asked) and need no credentials: a
// kubelet or load balancer rarely holds any, and the answers reveal only this node's role.

import type { ApiDeps } from './deps.js';

export type ProbeName = 'live' | 'ready' | 'leader';

const NAMES: readonly ProbeName[] = ['live', 'ready', 'leader'];

/** The probe `path` asks for (already without a trailing slash), or undefined. */
export function probeOf(path: string, urlPrefix: string): ProbeName | undefined {
  const base = `${urlPrefix}/health/`;
  if (!path.startsWith(base)) return undefined;
  const name = path.slice(base.length);
  return (NAMES as readonly string[]).includes(name) ? (name as ProbeName) : undefined;
}

export interface ProbeResult {
  /** 200 when the probe passes, 503 otherwise. */
  status: 200 | 503;
  body: Record<string, unknown>;
}

export interface ProbeOptions {
  /** /health/ready: how long the applied index may take to reach the commit index. Default 500 ms. */
  appliedWaitMs?: number;
}

/**
 * - live: 200 `{"status":"alive"}` whenever the process serves HTTP.
 * - ready: 200 `{"status":"ready"}` when this node is part of a raft quorum (leader, or follower
 *   of a known leader), its backend is writable (the node_health heartbeat succeeded within the
 *   last 3 s) and it has applied every entry it knows committed (within `appliedWaitMs`: a node
 *   under steady writes is always a few entries behind for a moment); otherwise 503 with
 *   `"status":"not ready"` and the failed checks in `reasons`.
 * - leader: 200 `{"status":"leader"}` only on a leader that holds a quorum (as /api/leader-check),
 *   otherwise 503 `{"status":"not leader"}`.
 */
export async function runProbe(
  name: ProbeName,
  deps: ApiDeps,
  options: ProbeOptions = {},
): Promise<ProbeResult> {
  if (name === 'live') return { status: 200, body: { status: 'alive' } };
  if (name === 'leader') {
    const leader = await deps.raft.isLeaderWithQuorum();
    const body = {
      status: leader ? 'leader' : 'not leader',
      state: deps.raft.state(),
      leader: deps.raft.leader(),
    };
    return { status: leader ? 200 : 503, body };
  }
  const reasons: string[] = [];
  const quorum = deps.raft.isPartOfQuorum();
  if (!quorum) {
    const leader = deps.raft.leader();
    reasons.push(
      `not part of a raft quorum (state ${deps.raft.state()}, ${leader ? `leader ${leader}` : 'no known leader'})`,
    );
  }
  let backend = false;
  try {
    const health = await deps.health.status();
    backend = health.Healthy;
    if (!backend) reasons.push(`backend not writable: ${health.Error ?? 'node_health not written recently'}`);
  } catch (error) {
    reasons.push(`backend not writable: ${error instanceof Error ? error.message : String(error)}`);
  }
  const applied = await appliedCaughtUp(deps, options.appliedWaitMs ?? 500);
  if (!applied.ok) reasons.push(applied.reason);
  const ready = reasons.length === 0;
  return {
    status: ready ? 200 : 503,
    body: {
      status: ready ? 'ready' : 'not ready',
      checks: { raftQuorum: quorum, backendWritable: backend, appliedCaughtUp: applied.ok },
      ...(ready ? {} : { reasons }),
    },
  };
}

/** Waits (polling every 10 ms) until the applied index reaches the commit index seen at the start. */
async function appliedCaughtUp(
  deps: ApiDeps,
  waitMs: number,
): Promise<{ ok: true } | { ok: false; reason: string }> {
  const progress = deps.raft.progress;
  if (progress === undefined) return { ok: true };
  const target = progress.call(deps.raft).CommitIndex;
  const deadline = performance.now() + waitMs;
  for (;;) {
    const now = progress.call(deps.raft);
    if (now.AppliedIndex >= target) return { ok: true };
    if (performance.now() >= deadline) {
      return {
        ok: false,
        reason: `applied index ${now.AppliedIndex} has not reached commit index ${target} within ${waitMs} ms`,
      };
    }
    await new Promise((r) => setTimeout(r, 10));
  }
}
