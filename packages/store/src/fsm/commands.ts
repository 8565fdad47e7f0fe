// The replicated commands: the log-entry envelope and the typed payload of every op (reference
// §1.4, §1.5). Payloads keep orchestrator's JSON field names.
import type { InstanceKey, PromotionRule } from '../model/instance.js';

/**
 * One raft log entry's data: `{"op":"…","value":…}`. Go's orchestrator writes `value` as base64 of
 * the payload's JSON bytes; we accept that and plain JSON values. `at` (epoch ms, optional) is the
 * proposer's clock when it proposed: the time used by ops whose payload carries none.
 */
export interface CommandEnvelope {
  op: string;
  value: unknown;
  at?: number;
}

export interface DowntimePayload {
  Key: InstanceKey;
  Owner: string;
  Reason: string;
  /** Nanoseconds (Go time.Duration); 0 means 10 minutes. */
  Duration: number;
  /** RFC 3339 times; BeginsAt is required, EndsAt defaults to BeginsAt + Duration. */
  BeginsAt: string;
  EndsAt?: string;
  BeginsAtString?: string;
  EndsAtString?: string;
}

export interface CandidatePayload {
  Hostname: string;
  Port: number;
  PromotionRule: PromotionRule;
  /** When the rule was (re)registered; required. */
  LastSuggestedString: string;
  /** When it expires; defaults to LastSuggested + CandidateInstanceExpireMinutes. */
  PromotionRuleExpiry?: string;
}

export interface AckRecoveryPayload {
  CreatedAt: string;
  Owner: string;
  Comment: string;
  Key?: InstanceKey;
  ClusterName?: string;
  Id?: number;
  UID?: string;
  AllRecoveries?: boolean;
}

export interface HostnameUnresolvePayload {
  CreatedAt?: string;
  Key: InstanceKey;
  /** '' deregisters. */
  Hostname: string;
}

export interface PoolInstancesPayload {
  CreatedAt?: string;
  Pool: string;
  /** "host:port,host:port" (port defaults to 3306). */
  DelimitedInstances: string;
  RegisteredAt?: string;
}

/** A ReplicationAnalysis entry (reference §4); only the fields below are interpreted, all are kept. */
export interface AnalysisPayload {
  Analysis: string;
  AnalyzedInstanceKey: InstanceKey;
  ClusterDetails?: { ClusterName?: string; ClusterAlias?: string; [k: string]: unknown };
  CountReplicas?: number;
  Replicas?: InstanceKey[];
  SlaveHosts?: InstanceKey[];
  IsActionableRecovery?: boolean;
  /** Not in orchestrator's JSON: when the detection registered (else the envelope's `at`). */
  DetectedAt?: string;
  ProcessingNodeHostname?: string;
  ProcessingNodeToken?: string;
  [extra: string]: unknown;
}

export interface TopologyRecoveryPayload {
  Id?: number;
  UID: string;
  AnalysisEntry: AnalysisPayload;
  SuccessorKey?: InstanceKey | null;
  SuccessorAlias?: string;
  IsActive?: boolean;
  IsSuccessful?: boolean;
  LostReplicas?: InstanceKey[];
  ParticipatingInstanceKeys?: InstanceKey[];
  AllErrors?: string[];
  RecoveryStartTimestamp?: string;
  RecoveryEndTimestamp?: string;
  ProcessingNodeHostname?: string;
  ProcessingNodeToken?: string;
  LastDetectionId?: number;
  RelatedRecoveryId?: number;
  Type?: string;
  RecoveryType?: string;
  [extra: string]: unknown;
}

export interface RecoveryStepPayload {
  /** 0 → the next id. */
  Id?: number;
  RecoveryUID: string;
  AuditAt?: string;
  Message: string;
}

export interface KeyValuePayload {
  Key: string;
  Value: string;
  /** Not in orchestrator's JSON: stored in kv_store.last_updated when given. */
  UpdatedAt?: string;
}

export interface Tag {
  TagName: string;
  TagValue: string;
  HasValue: boolean;
  Negate: boolean;
}

export interface InstanceTagPayload {
  /** For delete-instance-tag an empty Hostname means every instance (untag-all). */
  Key: InstanceKey;
  T: Tag;
  CreatedAt?: string;
}

/** Payload type of each op. */
export interface CommandPayloads {
  heartbeat: unknown;
  'leader-uri': string;
  'request-health-report': string;
  'async-snapshot': unknown;
  'register-node': unknown;
  discover: InstanceKey;
  forget: InstanceKey;
  'forget-cluster': string;
  'begin-downtime': DowntimePayload;
  'end-downtime': InstanceKey;
  'register-candidate': CandidatePayload;
  'ack-recovery': AckRecoveryPayload;
  'register-hostname-unresolve': HostnameUnresolvePayload;
  'submit-pool-instances': PoolInstancesPayload;
  'register-failure-detection': AnalysisPayload;
  'write-recovery': TopologyRecoveryPayload;
  'write-recovery-step': RecoveryStepPayload;
  'resolve-recovery': TopologyRecoveryPayload;
  'disable-global-recoveries': unknown;
  'enable-global-recoveries': unknown;
  'put-key-value': KeyValuePayload;
  'put-instance-tag': InstanceTagPayload;
  'delete-instance-tag': InstanceTagPayload;
  'injected-pseudo-gtid': string;
  'set-cluster-alias-manual-override': [string, string];
  yield: string;
  'yield-hint': string;
}

export type CommandOp = keyof CommandPayloads;

export const commandOps: readonly CommandOp[] = [
  'heartbeat',
  'leader-uri',
  'request-health-report',
  'async-snapshot',
  'register-node',
  'discover',
  'forget',
  'forget-cluster',
  'begin-downtime',
  'end-downtime',
  'register-candidate',
  'ack-recovery',
  'register-hostname-unresolve',
  'submit-pool-instances',
  'register-failure-detection',
  'write-recovery',
  'write-recovery-step',
  'resolve-recovery',
  'disable-global-recoveries',
  'enable-global-recoveries',
  'put-key-value',
  'put-instance-tag',
  'delete-instance-tag',
  'injected-pseudo-gtid',
  'set-cluster-alias-manual-override',
  'yield',
  'yield-hint',
];

/**
 * What the daemon must do beyond the database after a command applies. The FSM never performs
 * these itself (it stays deterministic and I/O-free apart from its own backend).
 */
export type SideEffect =
  /** Probe this instance and walk its topology (discover). */
  | { type: 'discover'; key: InstanceKey }
  /** These instances were forgotten: drop them from caches/queues and do not rediscover them soon. */
  | { type: 'forgotten'; keys: InstanceKey[] }
  /** GET <leader>/api/raft-follower-health-report/<token>/<RaftBind>/<RaftAdvertise> (≤ once a second). */
  | { type: 'health-report'; token: string }
  /** Take a local raft snapshot after a random 0–60 s delay. */
  | { type: 'async-snapshot' }
  /** Write the pair to the external KV stores (Consul/ZK) this node is configured for. */
  | { type: 'kv-put'; key: string; value: string }
  /** Every node other than `node` suspends candidacy; a leader among them steps down. */
  | { type: 'yield'; node: string }
  /** Nodes whose hostname contains `hint` keep candidacy; all others yield. */
  | { type: 'yield-hint'; hint: string }
  /** The leader's HTTP URL changed. */
  | { type: 'leader-uri'; uri: string };

/** Encodes a command as the bytes of a log entry (value as base64 of its JSON, like Go). */
export function encodeCommand<O extends CommandOp>(
  op: O,
  value: CommandPayloads[O],
  at?: number,
): Uint8Array {
  const raw =
    (op === 'yield' || op === 'yield-hint') && typeof value === 'string'
      ? value
      : JSON.stringify(value ?? '');
  const envelope: CommandEnvelope = { op, value: Buffer.from(raw, 'utf8').toString('base64') };
  if (at !== undefined) envelope.at = at;
  return new TextEncoder().encode(JSON.stringify(envelope));
}
