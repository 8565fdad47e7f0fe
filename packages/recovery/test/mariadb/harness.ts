// In-memory fakes for the daemon's ports (raft publish with a tiny FSM, backend reads, leadership),
// wired to a real MariaDB topology from the test kit.
import { TOPOLOGY_PASSWORD, TOPOLOGY_USER, type Topology } from '@orchestrator/testkit';
import type { RecoveryConfig } from '../../src/config.js';
import { createRecoveryEngine, type RecoveryEngine } from '../../src/engine.js';
import { createMySQLOperations } from '../../src/mysql/create.js';
import { liveView, type MySQLOperations } from '../../src/mysql/operations.js';
import type {
  AnalysisEntry,
  CandidateRegistration,
  InstanceKey,
  InstanceView,
  RecoveryRecord,
  TopologyRecovery,
} from '../../src/types.js';

export const HOST = '127.0.0.1';
export const k = (port: number): InstanceKey => ({ Hostname: HOST, Port: port });
export const CLUSTER = 'test-cluster';

export interface Published {
  op: string;
  value: unknown;
}

export class FakeOrchestrator {
  leader = true;
  /** A quorum blip: the leadership check fails while raft still accepts this node's proposals. */
  acceptProposalsWithoutLeadership = false;
  readonly published: Published[] = [];
  readonly recoveries = new Map<string, RecoveryRecord & Partial<TopologyRecovery>>();
  readonly steps: { uid: string; message: string }[] = [];
  candidates: CandidateRegistration[] = [];
  snapshot = new Map<string, InstanceView>();
  /** Called after every publish (tests use it to drop leadership at a chosen step). */
  onPublish?: (op: string, value: unknown) => void;
  readonly engine: RecoveryEngine;
  readonly mysql: MySQLOperations;
  private readonly closeMySQL: () => Promise<void>;

  constructor(
    readonly topology: Topology,
    config: Partial<RecoveryConfig> = {},
    node = { hostname: 'orc-test', token: 'token-1' },
  ) {
    const leadership = { isLeaderWithQuorum: () => this.leader };
    const full = { MySQLTopologyUser: TOPOLOGY_USER, MySQLTopologyPassword: TOPOLOGY_PASSWORD, ...config };
    const { mysql, close } = createMySQLOperations(full, leadership);
    this.mysql = mysql;
    this.closeMySQL = close;
    let offset = 0;
    this.engine = createRecoveryEngine({
      config: { RecoverMasterClusterFilters: ['*'], RecoverIntermediateMasterClusterFilters: ['*'], ...full },
      node,
      leadership,
      clock: { now: () => Date.now() + offset },
      mysql,
      publish: async (op, value) => {
        if (!this.leader && !this.acceptProposalsWithoutLeadership) throw new Error('not leader');
        const copy = JSON.parse(JSON.stringify(value));
        this.published.push({ op, value: copy });
        this.apply(op, copy);
        this.onPublish?.(op, copy);
        return undefined;
      },
      reads: {
        clusterInstances: async () => [...this.snapshot.values()],
        instance: async (key) => this.snapshot.get(`${key.Hostname}:${key.Port}`) ?? null,
        candidates: async () => this.candidates,
        activeRecoveries: async () => [...this.recoveries.values()].filter((r) => !r.Acknowledged),
        activeDetections: async () => [],
        isGlobalRecoveryDisabled: async () => false,
      },
    });
    // Past the warm-up: from now on the clock runs a minute ahead of the engine's start.
    offset = 60_000;
  }

  // biome-ignore lint/suspicious/noExplicitAny: published payloads are JSON; tests read them loosely.
  private apply(op: string, value: any): void {
    if (op === 'write-recovery') this.recoveries.set(value.UID, { ...value });
    if (op === 'resolve-recovery')
      this.recoveries.set(value.UID, { ...this.recoveries.get(value.UID), ...value });
    if (op === 'write-recovery-step') this.steps.push({ uid: value.RecoveryUID, message: value.Message });
    if (op === 'ack-recovery')
      for (const r of this.recoveries.values())
        if (value.AllRecoveries || r.UID === value.UID) r.Acknowledged = true;
  }

  /** The backend's view: every server read live now (before a kill, so the dead one stays as last seen). */
  async takeSnapshot(): Promise<void> {
    for (const port of this.topology.ports) {
      const state = await this.mysql.readState(k(port)).catch(() => null);
      if (!state) continue; // dead: the backend keeps its last view
      this.snapshot.set(`${HOST}:${port}`, {
        ...liveView(state),
        ClusterName: CLUSTER,
        SuggestedClusterAlias: 'main',
      });
    }
  }

  deadMasterEntry(port: number, analysis = 'DeadMaster'): AnalysisEntry {
    const replicas = [...this.snapshot.values()].filter((v) => v.MasterKey.Port === port).map((v) => v.Key);
    const self = this.snapshot.get(`${HOST}:${port}`);
    return {
      Analysis: analysis,
      AnalyzedInstanceKey: k(port),
      AnalyzedInstanceMasterKey: self?.MasterKey ?? { Hostname: '', Port: 0 },
      ClusterDetails: { ClusterName: CLUSTER, ClusterAlias: 'main', ClusterDomain: '' },
      IsMaster: !self?.MasterKey.Hostname,
      IsCoMaster: false,
      CountReplicas: replicas.length,
      Replicas: replicas,
      IsDowntimed: false,
      IsActionableRecovery: true,
      MariaDBGTIDImmediateTopology: true,
    };
  }

  // biome-ignore lint/suspicious/noExplicitAny: published payloads are JSON; tests read them loosely.
  ops(op: string): any[] {
    return this.published.filter((p) => p.op === op).map((p) => p.value);
  }

  async close(): Promise<void> {
    await this.engine.drain();
    await this.closeMySQL();
  }
}

/** Polls `check` every 20 ms up to `timeoutMs`. */
export async function eventually<T>(
  check: () => Promise<T | undefined | false>,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v) return v;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline)
      throw new Error(`condition not met in ${timeoutMs} ms${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export async function slaveStatus(
  topology: Topology,
  port: number,
): Promise<Record<string, unknown> | undefined> {
  const rows = await topology.query(port, 'SHOW SLAVE STATUS');
  return rows[0] as Record<string, unknown> | undefined;
}

/** Debug aid in failure messages: the recovery's audit trail. */
export function trail(o: FakeOrchestrator): string {
  return o.steps.map((s) => s.message).join('\n');
}

/**
 * MariaDB ≥ 10.11 requires READ_ONLY ADMIN (no longer part of SUPER) to change read_only; the kit's
 * topology user has SUPER only. Granted with sql_log_bin=0 so no server gains a GTID of its own.
 */
export async function grantReadOnlyAdmin(topology: Topology): Promise<void> {
  await Promise.all(
    topology.ports.map(async (port) => {
      const c = await topology.server(port).connect();
      try {
        await c.query('SET SESSION sql_log_bin = 0');
        await c.query(`GRANT READ_ONLY ADMIN ON *.* TO '${TOPOLOGY_USER}'@'%'`);
      } finally {
        await c.end();
      }
    }),
  );
}
