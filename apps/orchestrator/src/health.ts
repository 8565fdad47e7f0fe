// node_health: every node writes its heartbeat every second (HealthPollSeconds); "healthy" means
// the last write succeeded recently. /api/health and /api/status show it, with the raft view.
import type { HealthReads, HealthStatus, NodeHealth } from '@orchestrator/api';
import type { Store } from '@orchestrator/store';
import type { Logger } from './logger.js';
import type { RaftService } from './raft/service.js';

export const HEALTH_POLL_MS = 1000;

export interface NodeIdentity {
  readonly hostname: string;
  readonly token: string;
  readonly appVersion: string;
}

export class HealthWriter implements HealthReads {
  private lastOk = 0;
  private lastError: string | null = null;
  private timer: NodeJS.Timeout | undefined;
  private cached: { at: number; status: HealthStatus } | undefined;

  constructor(
    private readonly store: Store,
    private readonly raft: RaftService,
    private readonly node: NodeIdentity,
    private readonly log: Logger,
  ) {}

  start(): void {
    const beat = () => {
      this.write().finally(() => {
        if (this.timer) this.timer = setTimeout(beat, HEALTH_POLL_MS);
      });
    };
    this.timer = setTimeout(beat, 0);
  }

  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** Milliseconds since the last successful node_health write (Infinity when none). */
  sinceLastWrite(): number {
    // Monotonic: a step of the system clock must not make a healthy node look stale, or the reverse.
    return this.lastOk === 0 ? Number.POSITIVE_INFINITY : performance.now() - this.lastOk;
  }

  private async write(): Promise<void> {
    try {
      await this.store.nodeHealth.write({
        hostname: this.node.hostname,
        token: this.node.token,
        appVersion: this.node.appVersion,
        command: 'http',
        extraInfo: this.raft.raftAdvertise,
      });
      this.lastOk = performance.now();
      this.lastError = null;
    } catch (err) {
      this.lastError = (err as Error).message;
      this.log.error({ error: this.lastError }, 'cannot write node_health to the backend');
    }
  }

  async status(): Promise<HealthStatus> {
    if (this.cached && performance.now() - this.cached.at < 1000) return this.cached.status;
    const healthy = this.sinceLastWrite() <= 3 * HEALTH_POLL_MS;
    let available: NodeHealth[] = [];
    try {
      available = (await this.store.nodeHealth.available(10)).map((n) => ({
        ...n,
        LastReported: n.LastSeenActive,
      }));
    } catch {
      // the backend is failing: healthy is already false
    }
    const leader = this.raft.leader();
    const isLeader = this.raft.isLeader();
    const status: HealthStatus = {
      Healthy: healthy,
      Hostname: this.node.hostname,
      Token: this.node.token,
      IsActiveNode: isLeader,
      ActiveNode: leader
        ? {
            Hostname: leader,
            Token: '',
            AppVersion: this.node.appVersion,
            FirstSeenActive: '',
            LastSeenActive: '',
            ExtraInfo: '',
            Command: '',
            DBBackend: '',
            LastReported: '',
          }
        : null,
      Error: healthy ? null : (this.lastError ?? 'node_health not written recently'),
      AvailableNodes: available,
      RaftLeader: leader,
      IsRaftLeader: isLeader,
      RaftLeaderURI: this.raft.leaderURI(),
      RaftAdvertise: this.raft.raftAdvertise,
      RaftHealthyMembers: isLeader ? this.raft.healthReports.healthyMembers() : [],
    };
    this.cached = { at: performance.now(), status };
    return status;
  }
}
