// What a node does beyond its database after a command applies (reference §1.5 "what each node
// does"): the state machine hands the side effects to an EffectQueue as soon as raft exists; the
// EffectHandler that acts on them is built once discovery and the raft service exist, and drains
// the queue from then on. So the components are built in dependency order, with no late-bound
// references between them.
import type { SideEffect } from '@orchestrator/store';
import type { DerivedConfig, OrchestratorConfig } from '../config/index.js';
import type { Discovery } from '../discovery.js';
import type { Logger } from '../logger.js';
import { getStatus, httpsClientOptions, nodeAuthHeaders } from '../tls.js';
import type { RaftService } from './service.js';

/** Side effects applied before anyone acts on them are held, at most this many (replay at start). */
const MAX_HELD = 10_000;

export class EffectQueue {
  private held: SideEffect[] = [];
  private consumer: ((effects: readonly SideEffect[]) => void) | undefined;

  push(effects: readonly SideEffect[]): void {
    if (this.consumer !== undefined) {
      this.consumer(effects);
      return;
    }
    this.held.push(...effects);
    if (this.held.length > MAX_HELD) this.held.splice(0, this.held.length - MAX_HELD);
  }

  /** From now on effects go to `consumer`; those held so far go first. */
  consume(consumer: (effects: readonly SideEffect[]) => void): void {
    this.consumer = consumer;
    const held = this.held;
    this.held = [];
    if (held.length > 0) consumer(held);
  }
}

/** Acts on the side effects of applied commands (reference §1.5 "what each node does"). */
export class EffectHandler {
  private lastHealthReport = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly log: Logger,
    private readonly discovery: Pick<Discovery, 'requestDiscovery' | 'forget'>,
    private readonly raft: Pick<RaftService, 'snapshot' | 'yield' | 'leaderURI'>,
    private readonly config: OrchestratorConfig,
    private readonly derived: DerivedConfig,
  ) {}

  /** handle, bound: what the EffectQueue calls. */
  readonly handler = (effects: readonly SideEffect[]): void => this.handle(effects);

  handle(effects: readonly SideEffect[]): void {
    for (const effect of effects) {
      switch (effect.type) {
        case 'discover':
          this.discovery.requestDiscovery(effect.key);
          break;
        case 'forgotten':
          this.discovery.forget(effect.keys);
          break;
        case 'health-report':
          void this.reportHealth(effect.token);
          break;
        case 'async-snapshot':
          setTimeout(() => void this.raft.snapshot().catch(() => {}), Math.random() * 60_000).unref();
          break;
        case 'yield':
          void this.raft.yield(effect.node).catch(() => {});
          break;
        default:
          // leader-uri is tracked by the state machine. kv-put: the leader writes the external KV
          // stores itself (kv.ts), so applying or replaying put-key-value never does.
          break;
      }
    }
  }

  /** GET <leader>/api/raft-follower-health-report/<token>/<RaftBind>/<RaftAdvertise>, at most once a second. */
  private async reportHealth(token: string): Promise<void> {
    const raft = this.raft;
    if (performance.now() - this.lastHealthReport < 1000) return;
    this.lastHealthReport = performance.now();
    const leaderURI = raft.leaderURI();
    if (!leaderURI) return;
    const path = [token, this.config.RaftBind, this.derived.raftId].map(encodeURIComponent).join('/');
    // ?http= (ours; the reference ignores it): where the leader can ask this node what it sees.
    const self = encodeURIComponent(this.derived.httpURL);
    try {
      await getStatus(
        `${leaderURI}${this.derived.urlPrefix}/api/raft-follower-health-report/${path}?http=${self}`,
        {
          headers: nodeAuthHeaders(this.config),
          timeoutMs: 5000,
          tls: httpsClientOptions(this.config),
        },
      );
    } catch (err) {
      this.log.debug({ error: (err as Error).message }, 'health report to the leader failed');
    }
  }
}
