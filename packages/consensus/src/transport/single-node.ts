// The transport of a one-member group: there is nobody to talk to, so nothing is ever sent or
// received. Lets an application run its state machine through raft without a network (a daemon's
// single-node mode, a command-line tool) with the same node and storage code.
import type { Message, NodeId } from '../types.js';
import type { Transport } from './transport.js';

export class SingleNodeTransport implements Transport {
  constructor(readonly id: NodeId) {}

  async start(): Promise<void> {}

  /** A one-member group addresses no other node; were it to, the message is dropped (raft tolerates loss). */
  send(_message: Message): void {}

  setPeerAddresses(): void {}

  async stop(): Promise<void> {}
}
