// What the store's FSM tells the daemon to do after a command applies. The command types live in
// @orchestrator/model (commands.ts), shared with every proposer.
import type { InstanceKey } from '../model/instance.js';

export type {
  AckRecoveryPayload,
  AnalysisPayload,
  CandidatePayload,
  CommandEnvelope,
  CommandOp,
  CommandPayloads,
  CommandProposer,
  DowntimePayload,
  HostnameUnresolvePayload,
  InstanceTagPayload,
  KeyValuePayload,
  PoolInstancesPayload,
  RecoveryStepPayload,
  Tag,
  TopologyRecoveryPayload,
} from '@orchestrator/model';
export { commandOps, encodeCommand } from '@orchestrator/model';

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
