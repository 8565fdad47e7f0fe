// What a RaftNode reports as it happens, for an application's metrics. The library stays free of any
// metrics client: the application adapts these calls to its own (orchestrator: prom-client). Every
// member is optional and called synchronously on the raft path, so an implementation must be cheap
// (bump a number, observe a histogram) and must not throw.
import type { CoreEvent } from '../core/api.js';
import type { MessageType } from '../types.js';

/** Why a message was dropped rather than delivered or handled. */
export type DropReason =
  /** The node is stopped or sits out a storage fault: it handles no message. */
  | 'notRunning'
  /** The core refused it (a bad message, not a member); see also the `refusedNonMember` event. */
  | 'refused'
  /** The transport could not deliver it (stream down, waiting out a reconnect delay). */
  | 'unreachable';

export interface RaftObserver {
  /** A core event: elections won, step-downs, refused non-members, membership changes. */
  event?(event: CoreEvent): void;
  /** A write of log entries / hard state finished after `seconds`; `synced`: it included an fsync. */
  persisted?(seconds: number, synced: boolean): void;
  /** The entry of a proposal made on this node was committed, `seconds` after `propose()`. */
  proposalCommitted?(seconds: number): void;
  /** A snapshot is durable: `taken` here from the state machine, or `received` from the leader. */
  snapshotSaved?(origin: 'taken' | 'received', bytes: number, seconds: number): void;
  messageSent?(type: MessageType): void;
  messageReceived?(type: MessageType): void;
  messageDropped?(type: MessageType, reason: DropReason): void;
}
