// An in-process transport for tests of the RaftNode driver: nodes on one MemoryNetwork exchange
// messages asynchronously (never re-entrantly: delivery happens on a later macrotask, like a
// socket), and the network can cut links to simulate partitions and dead nodes.
import type { Message, NodeId } from '../types.js';
import { type Transport, TransportError, type TransportHandler } from './transport.js';

export class MemoryNetwork {
  private readonly nodes = new Map<NodeId, MemoryTransport>();
  private readonly cut = new Set<string>();
  private readonly queue: Message[] = [];
  private scheduled = false;

  /** A transport for node `id` on this network. */
  transport(id: NodeId): MemoryTransport {
    return new MemoryTransport(id, this);
  }

  /** Drops every message from `from` to `to` (one direction) until heal(). */
  block(from: NodeId, to: NodeId): void {
    this.cut.add(`${from}\u0000${to}`);
  }

  /** Cuts `id` off from everyone, both ways. */
  isolate(id: NodeId): void {
    for (const other of this.nodes.keys()) {
      if (other === id) continue;
      this.block(id, other);
      this.block(other, id);
    }
  }

  heal(): void {
    this.cut.clear();
  }

  /** @internal */
  attach(t: MemoryTransport): void {
    if (this.nodes.has(t.id)) throw new TransportError(`node ${t.id} is already on this network`);
    this.nodes.set(t.id, t);
  }

  /** @internal */
  detach(t: MemoryTransport): void {
    if (this.nodes.get(t.id) === t) this.nodes.delete(t.id);
  }

  /** @internal */
  enqueue(message: Message): void {
    this.queue.push(message);
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.flush());
    }
  }

  private flush(): void {
    this.scheduled = false;
    const batch = this.queue.splice(0);
    for (const m of batch) {
      const sender = this.nodes.get(m.from);
      const target = this.nodes.get(m.to);
      const ok = target !== undefined && !this.cut.has(`${m.from}\u0000${m.to}`);
      if (ok) target.deliver(m);
      else sender?.undeliverable(m);
      if (m.type === 'snapshot') sender?.snapshotDone(m.to, ok);
    }
  }
}

export class MemoryTransport implements Transport {
  private handler: TransportHandler | undefined;

  constructor(
    readonly id: NodeId,
    private readonly network: MemoryNetwork,
  ) {}

  async start(handler: TransportHandler): Promise<void> {
    this.network.attach(this);
    this.handler = handler;
  }

  send(message: Message): void {
    if (this.handler === undefined) throw new TransportError(`transport ${this.id} is not started`);
    this.network.enqueue(message);
  }

  setPeerAddresses(): void {
    // Peers are reached by id on the shared network; addresses do not apply.
  }

  async stop(): Promise<void> {
    this.network.detach(this);
    this.handler = undefined;
  }

  /** @internal */
  deliver(message: Message): void {
    this.handler?.onMessage(message);
  }

  /** @internal */
  undeliverable(message: Message): void {
    this.handler?.onUnreachable?.(message.to);
  }

  /** @internal */
  snapshotDone(peer: NodeId, ok: boolean): void {
    this.handler?.onSnapshotStatus?.(peer, ok);
  }
}
