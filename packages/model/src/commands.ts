// The replicated commands: the log-entry envelope, the typed payload of every op (reference §1.4,
// §1.5; payloads keep orchestrator's JSON field names), their one encoding, and the typed contract
// through which the API, the recovery engine and the daemon propose them.
import type { InstanceKey } from './instance.js';
import type { SettablePromotionRule } from './promotion.js';

/**
 * One raft log entry's data, as JSON: `{"op":"…","value":…,"at":…}` (reference §1.4). `value` is the
 * payload itself as a JSON value (the one encoding; Go's orchestrator wraps it in base64, which no
 * log of ours holds). `at` (epoch ms) is the proposer's clock when it proposed: the time of
 * payloads that carry none, so appliers never read their own clock.
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
  PromotionRule: SettablePromotionRule;
  /** When the rule was (re)registered; required. */
  LastSuggestedString: string;
  /** When it expires (candidateExpiry: computed once, by the proposer); required. */
  PromotionRuleExpiry: string;
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
  ClusterDetails?: { ClusterName?: string; ClusterAlias?: string };
  CountReplicas?: number;
  Replicas?: InstanceKey[];
  SlaveHosts?: InstanceKey[];
  IsActionableRecovery?: boolean;
  /** Not in orchestrator's JSON: when the detection registered (else the envelope's `at`). */
  DetectedAt?: string;
  ProcessingNodeHostname?: string;
  ProcessingNodeToken?: string;
}

export interface TopologyRecoveryPayload {
  Id?: number;
  UID: string;
  AnalysisEntry: AnalysisPayload;
  SuccessorKey?: InstanceKey | null;
  SuccessorAlias?: string;
  SuccessorBinlogCoordinates?: { LogFile: string; LogPos: number; Type?: string } | null;
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

const encoder = new TextEncoder();

/** The bytes of a log entry: the envelope as UTF-8 JSON, the payload as a plain JSON value. */
export function encodeCommand<O extends CommandOp>(
  op: O,
  payload: CommandPayloads[O],
  at: number,
): Uint8Array {
  const envelope: CommandEnvelope = { op, value: payload ?? null, at };
  return encoder.encode(JSON.stringify(envelope));
}

/** Proposes a replicated command through raft; resolves with the FSM's result once applied here. */
export interface CommandProposer {
  propose<O extends CommandOp>(op: O, payload: CommandPayloads[O]): Promise<unknown>;
}
