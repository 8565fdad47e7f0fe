// The raft node of this process: over gRPC and a SQLite log in RaftDataDir with RaftEnabled, or,
// without raft, a one-member group in memory so that commands still go through the same state
// machine (the daemon's single-node mode, and the command line with raft off).
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  MemoryLogStore,
  MemorySnapshotStore,
  MemoryStableStore,
  RaftNode,
  type RaftObserver,
  SingleNodeTransport,
} from '@orchestrator/consensus';
import type { DerivedConfig, OrchestratorConfig } from '../config/index.js';
import type { Logger } from '../logger.js';
import { raftTls } from '../tls.js';
import type { OrchestratorStateMachine } from './state-machine.js';

export function raftMembers(config: OrchestratorConfig, derived: DerivedConfig): string[] {
  if (!config.RaftEnabled || derived.singleNode) return [derived.raftId];
  return config.RaftNodes.includes(derived.raftId)
    ? [...config.RaftNodes]
    : [...config.RaftNodes, derived.raftId];
}

export function mkTemp(): string {
  const dir = join(process.env.TMPDIR ?? '/tmp', `orchestrator-standalone-${process.pid}`);
  mkdirSync(dir, { recursive: true });
  return dir;
}

export function createRaftNode(
  config: OrchestratorConfig,
  derived: DerivedConfig,
  sm: OrchestratorStateMachine,
  log: Logger,
  /** Metrics (metrics/raft-metrics.ts). */
  observer?: RaftObserver,
): RaftNode {
  const timing = {
    tickMs: config.RaftTickMilliseconds,
    electionTicks: config.RaftElectionTicks,
    heartbeatTicks: config.RaftHeartbeatTicks,
    snapshotThreshold: config.RaftSnapshotThreshold,
    trailingEntries: config.RaftSnapshotTrailingEntries,
  };
  const raftLog = (
    level: 'debug' | 'info' | 'warn' | 'error',
    msg: string,
    fields?: Record<string, unknown>,
  ) => log[level](fields ?? {}, msg);
  if (!config.RaftEnabled) {
    // Without raft the node is its own one-member group: commands still go through the same FSM.
    return new RaftNode(
      {
        id: derived.raftId,
        peers: [derived.raftId],
        storage: {
          log: new MemoryLogStore(),
          stable: new MemoryStableStore(),
          snapshots: new MemorySnapshotStore(),
        },
        transport: new SingleNodeTransport(derived.raftId),
        ...timing,
        log: raftLog,
        ...(observer ? { observer } : {}),
      },
      sm,
    );
  }
  mkdirSync(config.RaftDataDir, { recursive: true });
  return new RaftNode(
    {
      id: derived.raftId,
      bind: config.RaftBind,
      peers: raftMembers(config, derived),
      dataDir: config.RaftDataDir,
      tls: raftTls(config),
      ...timing,
      log: raftLog,
      ...(observer ? { observer } : {}),
    },
    sm,
  );
}
