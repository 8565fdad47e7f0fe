// RaftNode configuration: defaults and a validator that reports every problem at once.
//
// Timing defaults (see README "Timing"): a 50 ms tick, heartbeats every 2 ticks (100 ms) and an
// election timeout randomized in [8, 16) ticks (400–800 ms). A kill -9 of the leader is noticed
// by the first follower whose timer expires, on average ~600 ms after the last heartbeat, and
// pre-vote plus one vote round add two loopback round trips (< 5 ms): a median failover near
// 0.6 s. Four missed heartbeats are needed before anyone campaigns, so a leader stalled by GC or
// an fsync for up to ~300 ms does not lose leadership under load, and pre-vote with check-quorum
// keeps a node that was partitioned away from deposing a healthy leader when it comes back.

import type { LogStore, SnapshotStore, StableStore } from '../storage.js';
import type { GrpcTransportOptions } from '../transport/grpc.js';
import type { TlsOptions } from '../transport/tls.js';
import type { Transport } from '../transport/transport.js';
import type { Entry, NodeId } from '../types.js';
import { RaftConfigError } from './errors.js';
import type { RaftObserver } from './observer.js';

/**
 * The application's replicated state machine. Rules: `apply` is deterministic (same entries, same
 * results, on every node); it is called for `normal` entries only, strictly in log order, one at a
 * time even when it returns a promise. `snapshot` captures the state as of the last applied entry
 * (called between two applies); `restore` replaces the whole state.
 */
export interface StateMachine {
  apply(entry: Entry): unknown | Promise<unknown>;
  snapshot(): Promise<Uint8Array>;
  restore(data: Uint8Array): Promise<void>;
  /**
   * For a state machine kept in durable storage of its own: the last entry (index and term) whose
   * effect it already holds. At start a local snapshot at or below that index is not restored when
   * this log has that same entry (same term there: the state machine followed this log, not an
   * earlier one of a wiped data dir); the log after the snapshot is replayed either way, as it is
   * without a snapshot. Restoring a large snapshot on every restart blocked the process for
   * hundreds of milliseconds. Absent or undefined: always restored.
   */
  durablePosition?():
    | { readonly index: number; readonly term: number }
    | undefined
    | Promise<{ readonly index: number; readonly term: number } | undefined>;
}

export type RaftLogFn = (
  level: 'debug' | 'info' | 'warn' | 'error',
  msg: string,
  fields?: Record<string, unknown>,
) => void;

/** Stores to use instead of the SQLite file and snapshot directory under `dataDir`. */
export interface InjectedStorage {
  readonly log: LogStore;
  readonly stable: StableStore;
  readonly snapshots: SnapshotStore;
  /** Runs `fn` so its writes share one durable commit (one fsync); default: just runs it. */
  readonly transaction?: (fn: () => void) => void;
  /** Like `transaction` but without its own fsync (durable with the next synced write); default: `transaction`. */
  readonly unsyncedTransaction?: (fn: () => void) => void;
  /** Called on stop(). */
  readonly close?: () => void;
}

export interface RaftNodeConfig {
  /** This node's identity and advertise address (`host:port`), used exactly as written. */
  readonly id: NodeId;
  /** Listen address of the gRPC server; default `id`. */
  readonly bind?: string;
  /** Initial voters (a fresh cluster bootstraps from them); `id` is included if missing. */
  readonly peers: readonly NodeId[];
  /** Dial addresses for peers whose id is not their address. */
  readonly peerAddresses?: Readonly<Record<NodeId, string>>;
  /** Directory for raft.db and snapshots/. Required unless `storage` is given. */
  readonly dataDir?: string;
  readonly storage?: InjectedStorage;
  /** Default: a GrpcTransport on `bind`. */
  readonly transport?: Transport;
  readonly tls?: TlsOptions;
  /** Extra GrpcTransport options (message size limits, snapshot chunk size, backoff). */
  readonly grpc?: Partial<Omit<GrpcTransportOptions, 'id' | 'bind' | 'peers' | 'tls'>>;
  /** Milliseconds per logical tick. Default 50. */
  readonly tickMs?: number;
  /** Election timeout in ticks, randomized in [n, 2n). Default 8. */
  readonly electionTicks?: number;
  /** Heartbeat interval in ticks. Default 2. */
  readonly heartbeatTicks?: number;
  /** Take a snapshot once this many entries were applied since the last one. Default 10 000. */
  readonly snapshotThreshold?: number;
  /** Entries kept in the log behind a snapshot, so slightly-behind followers avoid InstallSnapshot. Default 1 000. */
  readonly trailingEntries?: number;
  /** Snapshots kept on disk. Default 3. */
  readonly snapshotRetain?: number;
  /** Propose/read/membership timeout, ms (the promise rejects with RaftTimeoutError). Default 10 000. */
  readonly requestTimeoutMs?: number;
  readonly preVote?: boolean;
  readonly checkQuorum?: boolean;
  readonly readOnlyOption?: 'safe' | 'lease';
  /** Max entry bytes per append message. Default 1 MiB. */
  readonly maxSizePerMsg?: number;
  /** Max append messages in flight per follower. Default 256. */
  readonly maxInflightMsgs?: number;
  readonly random?: () => number;
  readonly log?: RaftLogFn;
  /** Measurements for the application's metrics (observer.ts); none by default. */
  readonly observer?: RaftObserver;
}

export interface ResolvedTiming {
  readonly tickMs: number;
  readonly electionTicks: number;
  readonly heartbeatTicks: number;
  readonly snapshotThreshold: number;
  readonly trailingEntries: number;
  readonly requestTimeoutMs: number;
}

export const DEFAULTS: ResolvedTiming = {
  tickMs: 50,
  electionTicks: 8,
  heartbeatTicks: 2,
  snapshotThreshold: 10_000,
  trailingEntries: 1_000,
  requestTimeoutMs: 10_000,
};

/** Every problem of `config`, each naming the key; empty when valid. */
export function validateConfig(config: RaftNodeConfig): string[] {
  const problems: string[] = [];
  const t = resolveTiming(config);
  if (typeof config.id !== 'string' || config.id === '')
    problems.push('id must be a non-empty host:port string');
  if (!Array.isArray(config.peers)) problems.push('peers must be an array of node ids');
  if (!config.dataDir && !config.storage) problems.push('dataDir is required when storage is not injected');
  const positive: [keyof ResolvedTiming, number][] = [
    ['tickMs', t.tickMs],
    ['electionTicks', t.electionTicks],
    ['heartbeatTicks', t.heartbeatTicks],
    ['snapshotThreshold', t.snapshotThreshold],
    ['requestTimeoutMs', t.requestTimeoutMs],
  ];
  for (const [key, v] of positive) {
    if (!Number.isInteger(v) || v <= 0) problems.push(`${key} must be a positive integer (got ${v})`);
  }
  if (!Number.isInteger(t.trailingEntries) || t.trailingEntries < 0) {
    problems.push(`trailingEntries must be a non-negative integer (got ${t.trailingEntries})`);
  }
  if (t.heartbeatTicks >= t.electionTicks) {
    problems.push(
      `heartbeatTicks (${t.heartbeatTicks}) must be less than electionTicks (${t.electionTicks})`,
    );
  }
  return problems;
}

export function resolveTiming(config: RaftNodeConfig): ResolvedTiming {
  return {
    tickMs: config.tickMs ?? DEFAULTS.tickMs,
    electionTicks: config.electionTicks ?? DEFAULTS.electionTicks,
    heartbeatTicks: config.heartbeatTicks ?? DEFAULTS.heartbeatTicks,
    snapshotThreshold: config.snapshotThreshold ?? DEFAULTS.snapshotThreshold,
    trailingEntries: config.trailingEntries ?? DEFAULTS.trailingEntries,
    requestTimeoutMs: config.requestTimeoutMs ?? DEFAULTS.requestTimeoutMs,
  };
}

export function assertValidConfig(config: RaftNodeConfig): void {
  const problems = validateConfig(config);
  if (problems.length > 0) throw new RaftConfigError(problems);
}
