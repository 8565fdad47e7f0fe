// The Transport interface: how a RaftNode's messages reach its peers. Delivery is best effort —
// raft tolerates loss, duplication and reordering — so send() never blocks and never throws for a
// peer that is down; it reports the peer unreachable instead, and the core slows down towards it.
import type { Message, NodeId } from '../types.js';

/** What a transport tells its node. */
export interface TransportHandler {
  /** A message arrived. `from` is the sender's claimed identity; the core refuses non-members. */
  onMessage(message: Message): void;
  /** A message to `peer` could not be delivered (connection down or refused). */
  onUnreachable?(peer: NodeId): void;
  /** The connection to `peer` is open (first time, or again after it was down). */
  onPeerConnected?(peer: NodeId): void;
  /** Outcome of a snapshot message sent to `peer` (InstallSnapshot finished or failed). */
  onSnapshotStatus?(peer: NodeId, ok: boolean): void;
}

export interface Transport {
  /** This node's identity, exactly as configured (its advertise address). */
  readonly id: NodeId;
  /** Starts listening (if the transport listens) and delivering to `handler`. */
  start(handler: TransportHandler): Promise<void>;
  /** Queues `message` for `message.to`; messages queued in the same tick travel as one batch. */
  send(message: Message): void;
  /** Optional: writes everything queued by send() now instead of at the end of the event-loop turn. */
  flush?(): void;
  /**
   * Optional: opens connections to `peers` before there is anything to send. A node calls it when it
   * starts, so a restarted node announces itself and peers that were waiting out a reconnect delay
   * towards it can dial back at once.
   */
  connect?(peers: readonly NodeId[]): void;
  /**
   * Where to dial each peer. A peer missing from the map is dialled at its id, which is its
   * advertise address by definition; the map exists for tests and address changes.
   */
  setPeerAddresses(addresses: Readonly<Record<NodeId, string>>): void;
  /** Closes every connection and the listener; queued messages are dropped. */
  stop(): Promise<void>;
}

/** Thrown by start() when the listener cannot bind, and by misuse (send before start). */
export class TransportError extends Error {
  readonly code = 'TRANSPORT';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'TransportError';
  }
}
