// One outbound connection: this node → one peer. Raft messages go on a long-lived bidirectional
// stream as batches (one gRPC frame per flush, so many messages share a write); snapshots go on
// their own InstallSnapshot call in chunks, so a large snapshot never blocks heartbeats.
//
// When the stream breaks, queued messages are dropped (raft retransmits) and the peer is reported
// unreachable; the stream is re-opened after an exponential backoff with jitter, reset once the
// peer answers with its hello.
import * as grpc from '@grpc/grpc-js';
import type { Message, MessageType, NodeId } from '../types.js';
import {
  encodeBatch,
  messageTypeOf,
  type RaftCodec,
  TO_OBJECT,
  toWire,
  type WireMessage,
  wireType,
} from './codec.js';

export interface PeerOptions {
  readonly self: NodeId;
  readonly peer: NodeId;
  readonly codec: RaftCodec;
  readonly maxMessageBytes: number;
  readonly snapshotChunkBytes: number;
  readonly snapshotDeadlineMs: number;
  readonly connectTimeoutMs: number;
  readonly backoffInitialMs: number;
  readonly backoffMaxMs: number;
  readonly random: () => number;
  readonly onUnreachable: (peer: NodeId) => void;
  readonly onConnected?: (peer: NodeId) => void;
  readonly onSnapshotStatus: (peer: NodeId, ok: boolean) => void;
  /** A message was dropped without being written (stream down or backing off). */
  readonly onDropped?: (type: MessageType, reason: 'unreachable') => void;
  readonly log: (level: 'debug' | 'info' | 'warn', msg: string, fields?: Record<string, unknown>) => void;
}

const APPEND = wireType('append');
const APPEND_RESP = wireType('appendResp');

type State = 'idle' | 'connecting' | 'open' | 'backoff' | 'closed';

/** Generic gRPC client with the raft service's two methods; payloads are pre-encoded Buffers. */
export type RaftClient = grpc.Client & {
  Stream(metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientDuplexStream<Buffer, Buffer>;
  InstallSnapshot(
    metadata: grpc.Metadata,
    options: grpc.CallOptions,
    callback: (err: grpc.ServiceError | null, reply?: Buffer) => void,
  ): grpc.ClientWritableStream<Buffer>;
};

export class PeerConnection {
  private state: State = 'idle';
  private call: grpc.ClientDuplexStream<Buffer, Buffer> | undefined;
  private queue: WireMessage[] = [];
  private flushScheduled = false;
  private waitingDrain = false;
  private backoffMs: number;
  private timer: NodeJS.Timeout | undefined;
  private snapshotInFlight = false;
  /** Entry bytes of the last queued message, and the most one merged append may carry. */
  private lastBytes = 0;
  private readonly mergeCap: number;
  /** Rough bytes of a batch's fixed overhead per message; entries are counted exactly. */
  private static readonly PER_MESSAGE_BYTES = 96;

  constructor(
    private readonly client: RaftClient,
    private readonly opts: PeerOptions,
  ) {
    this.backoffMs = opts.backoffInitialMs;
    this.mergeCap = Math.floor(opts.maxMessageBytes / 8);
  }

  get connected(): boolean {
    return this.state === 'open';
  }

  /** Waiting out a reconnect delay after the stream broke. */
  get backingOff(): boolean {
    return this.state === 'backoff';
  }

  /** Opens the stream now unless one is open or opening (the peer is known to be up). */
  connectNow(): void {
    if (this.state === 'idle') this.open();
  }

  send(m: Message): void {
    if (this.state === 'closed') return;
    if (m.type === 'snapshot') {
      void this.sendSnapshot(m);
      return;
    }
    if (this.state === 'backoff') {
      this.opts.onDropped?.(m.type, 'unreachable');
      this.opts.onUnreachable(this.opts.peer);
      return;
    }
    if (this.state === 'idle') this.open();
    this.enqueue(toWire(m));
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      // Let every message produced by the current Ready join one batch.
      setImmediate(() => this.flush());
    }
  }

  /**
   * Queues a wire message, coalescing it with the previous one when that is lossless: the core
   * emits one append per proposal, so under load consecutive appends to a peer continue each other
   * (same term, each starting where the last ended) and travel as one, and the follower answers
   * once. Likewise a newer success ack supersedes an older one.
   */
  private enqueue(w: WireMessage): void {
    const last = this.queue[this.queue.length - 1];
    if (last && last.term === w.term && last.type === w.type) {
      if (w.type === APPEND && last.entries && last.entries.length > 0 && this.lastBytes < this.mergeCap) {
        const tail = last.entries[last.entries.length - 1];
        if (tail && w.index === tail.index && w.logTerm === tail.term) {
          for (const e of w.entries ?? []) {
            last.entries.push(e);
            this.lastBytes += e.data.byteLength;
          }
          last.commit = Math.max(last.commit ?? 0, w.commit ?? 0);
          return;
        }
      }
      if (w.type === APPEND_RESP && !last.reject && !w.reject && (w.index ?? 0) >= (last.index ?? 0)) {
        this.queue[this.queue.length - 1] = w;
        return;
      }
    }
    this.queue.push(w);
    this.lastBytes = 0;
    for (const e of w.entries ?? []) this.lastBytes += e.data.byteLength;
  }

  /** Writes the queue now (the scheduled flush then finds it empty). */
  flushNow(): void {
    if (this.queue.length > 0) this.flush();
  }

  close(): void {
    this.state = 'closed';
    clearTimeout(this.timer);
    this.queue = [];
    this.call?.cancel();
    this.call = undefined;
  }

  private metadata(): grpc.Metadata {
    const md = new grpc.Metadata();
    md.set('raft-from', this.opts.self);
    md.set('raft-to', this.opts.peer);
    return md;
  }

  private open(): void {
    this.state = 'connecting';
    const call = this.client.Stream(this.metadata());
    this.call = call;
    const connectTimer = setTimeout(() => {
      if (this.call === call && this.state === 'connecting')
        this.broken(call, 'no hello before the connect deadline');
    }, this.opts.connectTimeoutMs);
    call.on('data', (buf: Buffer) => {
      if (this.call !== call) return;
      clearTimeout(connectTimer);
      const hello = this.opts.codec.StreamHello.toObject(
        this.opts.codec.StreamHello.decode(buf),
        TO_OBJECT,
      ) as {
        nodeId?: string;
      };
      if (hello.nodeId !== this.opts.peer) {
        this.opts.log('warn', 'peer answered with another identity', {
          peer: this.opts.peer,
          answered: hello.nodeId,
        });
      }
      if (this.state === 'connecting') {
        this.state = 'open';
        this.backoffMs = this.opts.backoffInitialMs;
        this.opts.log('debug', 'raft stream open', { peer: this.opts.peer });
        this.opts.onConnected?.(this.opts.peer);
      }
    });
    call.on('drain', () => {
      if (this.call !== call) return;
      this.waitingDrain = false;
      this.flush();
    });
    call.on('error', (err: grpc.ServiceError) => {
      clearTimeout(connectTimer);
      this.broken(call, err.details || err.message);
    });
    call.on('end', () => {
      clearTimeout(connectTimer);
      this.broken(call, 'stream ended by the peer');
    });
  }

  private broken(call: grpc.ClientDuplexStream<Buffer, Buffer>, why: string): void {
    if (this.call !== call || this.state === 'closed') return;
    this.call = undefined;
    call.cancel();
    const dropped = this.queue.length;
    const onDropped = this.opts.onDropped;
    if (onDropped) for (const w of this.queue) onDropped(messageTypeOf(w.type), 'unreachable');
    this.queue = [];
    this.waitingDrain = false;
    this.state = 'backoff';
    const delay = this.backoffMs * (0.5 + this.opts.random() / 2);
    this.backoffMs = Math.min(this.backoffMs * 2, this.opts.backoffMaxMs);
    this.opts.log('debug', 'raft stream down', {
      peer: this.opts.peer,
      why,
      dropped,
      retryInMs: Math.round(delay),
    });
    this.opts.onUnreachable(this.opts.peer);
    this.timer = setTimeout(() => {
      if (this.state === 'backoff') this.open();
    }, delay);
  }

  private flush(): void {
    this.flushScheduled = false;
    const call = this.call;
    if (call === undefined || this.waitingDrain) return;
    // Split into frames below the size limit; a single oversized message still goes alone (the core
    // bounds entry bytes per message with maxSizePerMsg, so that only happens on misconfiguration).
    const budget = Math.floor(this.opts.maxMessageBytes / 2);
    while (this.queue.length > 0) {
      let bytes = 0;
      let n = 0;
      for (const w of this.queue) {
        let size = PeerConnection.PER_MESSAGE_BYTES;
        if (w.entries) for (const e of w.entries) size += e.data.byteLength + 32;
        if (n > 0 && bytes + size > budget) break;
        bytes += size;
        n++;
      }
      const batch = this.queue.splice(0, n);
      const ok = call.write(encodeBatch(this.opts.codec, batch));
      if (!ok) {
        this.waitingDrain = true;
        return;
      }
    }
  }

  private async sendSnapshot(m: Message): Promise<void> {
    if (this.snapshotInFlight || m.snapshot === undefined) return;
    this.snapshotInFlight = true;
    const { codec, peer } = this.opts;
    const data = m.snapshot.data;
    let ok = false;
    try {
      const reply = await new Promise<Buffer | undefined>((resolve, reject) => {
        const call = this.client.InstallSnapshot(
          this.metadata(),
          { deadline: Date.now() + this.opts.snapshotDeadlineMs },
          (err, res) => (err ? reject(err) : resolve(res)),
        );
        void this.writeChunks(call, m, data).catch((err: unknown) => {
          call.cancel();
          reject(err);
        });
      });
      const ack = reply
        ? (codec.SnapshotAck.toObject(codec.SnapshotAck.decode(reply), TO_OBJECT) as {
            ok?: boolean;
            error?: string;
          })
        : {};
      ok = ack.ok === true;
      if (!ok) this.opts.log('warn', 'snapshot refused by peer', { peer, error: ack.error });
    } catch (err) {
      this.opts.log('warn', 'snapshot send failed', { peer, error: (err as Error).message });
    } finally {
      this.snapshotInFlight = false;
    }
    if (this.state !== 'closed') this.opts.onSnapshotStatus(peer, ok);
  }

  private async writeChunks(
    call: grpc.ClientWritableStream<Buffer>,
    m: Message,
    data: Uint8Array,
  ): Promise<void> {
    const { codec } = this.opts;
    const size = this.opts.snapshotChunkBytes;
    let offset = 0;
    let first = true;
    do {
      const end = Math.min(offset + size, data.byteLength);
      const chunk: Record<string, unknown> = {
        data: data.subarray(offset, end),
        last: end >= data.byteLength,
      };
      if (first) {
        chunk.header = toWire(m, true);
        chunk.totalBytes = data.byteLength;
        first = false;
      }
      const bytes = codec.SnapshotChunk.encode(chunk).finish();
      if (!call.write(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength))) {
        await new Promise<void>((resolve, reject) => {
          const onDrain = () => {
            call.off('error', onError);
            resolve();
          };
          const onError = (err: Error) => {
            call.off('drain', onDrain);
            reject(err);
          };
          call.once('drain', onDrain);
          call.once('error', onError);
        });
      }
      if (this.state === 'closed') throw new Error('transport stopped');
      offset = end;
    } while (offset < data.byteLength);
    call.end();
  }
}
