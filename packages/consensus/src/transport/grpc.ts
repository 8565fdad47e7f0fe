// The gRPC transport over proto/raft.proto (@grpc/grpc-js + protobufjs, no generated code).
// The server binds `bind`; peers are dialled at their advertise addresses (their ids, unless the
// peer map says otherwise). The identity a node claims is its configured id string, exactly: it
// travels in the stream metadata, and a message whose `from` disagrees with it is dropped.
import type { EventEmitter } from 'node:events';
import type { Http2Session } from 'node:http2';
import * as grpc from '@grpc/grpc-js';
import type { Message, MessageType, NodeId } from '../types.js';
import { decodeBatch, fromWire, loadCodec, type RaftCodec, TO_OBJECT } from './codec.js';
import { PeerConnection, type RaftClient } from './grpc-peer.js';
import { channelCredentials, serverCredentials, type TlsOptions } from './tls.js';
import { type Transport, TransportError, type TransportHandler } from './transport.js';

export type TransportLog = (
  level: 'debug' | 'info' | 'warn',
  msg: string,
  fields?: Record<string, unknown>,
) => void;

export interface GrpcTransportOptions {
  /** This node's identity and advertise address (`host:port`). */
  readonly id: NodeId;
  /** Address the server listens on; default `id`. Use `0.0.0.0:port` to listen everywhere. */
  readonly bind?: string;
  /** Dial addresses for peers whose id is not directly dialable. */
  readonly peers?: Readonly<Record<NodeId, string>>;
  readonly tls?: TlsOptions;
  /** Largest gRPC frame sent or accepted, bytes. Default 64 MiB. */
  readonly maxMessageBytes?: number;
  /** InstallSnapshot chunk size, bytes. Default 1 MiB. */
  readonly snapshotChunkBytes?: number;
  /** Largest snapshot accepted, bytes. Default 4 GiB − 1. */
  readonly maxSnapshotBytes?: number;
  /** Deadline for a whole InstallSnapshot call, ms. Default 120 s. */
  readonly snapshotDeadlineMs?: number;
  /** A stream that has not said hello by then is re-opened, ms. Default 2 s. */
  readonly connectTimeoutMs?: number;
  /** Reconnect backoff: first delay and cap, ms. Defaults 50 and 250 (well under an election timeout). */
  readonly backoffInitialMs?: number;
  readonly backoffMaxMs?: number;
  /** HTTP/2 receive window per connection, bytes. Default 16 MiB. */
  readonly flowControlWindowBytes?: number;
  /** proto/raft.proto location; default: the repository's proto directory. */
  readonly protoPath?: string;
  readonly random?: () => number;
  readonly log?: TransportLog;
  /** A message to a peer was dropped (stream down or waiting out a reconnect delay); raft resends. */
  readonly onDropped?: (type: MessageType, reason: 'unreachable') => void;
}

function serviceDefinition(codec: RaftCodec): grpc.ServiceDefinition {
  const raw = (b: Buffer) => b;
  return {
    Stream: {
      path: `/${codec.service}/Stream`,
      requestStream: true,
      responseStream: true,
      requestSerialize: raw,
      requestDeserialize: raw,
      responseSerialize: raw,
      responseDeserialize: raw,
    },
    InstallSnapshot: {
      path: `/${codec.service}/InstallSnapshot`,
      requestStream: true,
      responseStream: false,
      requestSerialize: raw,
      requestDeserialize: raw,
      responseSerialize: raw,
      responseDeserialize: raw,
    },
  };
}

/**
 * grpc-js leaves a server's HTTP/2 receive window at 64 KiB and offers no option for it. Raft
 * traffic flows client → server here, so that window caps replication at 64 KiB per round trip,
 * and a round trip includes the receiver's fsync. Widen every accepted session's window.
 * (Reaches into grpc-js's `http2Servers` map; without it, nothing breaks, throughput is just lower.)
 */
function widenReceiveWindows(server: grpc.Server, bytes: number): void {
  const internal = (server as unknown as { http2Servers?: Map<EventEmitter, unknown> }).http2Servers;
  for (const h2 of internal?.keys() ?? []) {
    h2.on('session', (session: Http2Session) => {
      try {
        session.setLocalWindowSize(bytes);
      } catch {
        // An old or closing session: keep the default window.
      }
    });
  }
}

function encode(type: { encode(o: object): { finish(): Uint8Array } }, obj: object): Buffer {
  const b = type.encode(obj).finish();
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength);
}

export class GrpcTransport implements Transport {
  readonly id: NodeId;
  private readonly codec: RaftCodec;
  private readonly definition: grpc.ServiceDefinition;
  private readonly Client: grpc.ServiceClientConstructor;
  private readonly maxMessageBytes: number;
  private readonly log: TransportLog;
  private server: grpc.Server | undefined;
  private handler: TransportHandler | undefined;
  private addresses: Record<NodeId, string>;
  private readonly peers = new Map<NodeId, { conn: PeerConnection; client: grpc.Client; address: string }>();
  private boundPort = 0;

  constructor(private readonly options: GrpcTransportOptions) {
    this.id = options.id;
    this.codec = loadCodec(options.protoPath);
    this.definition = serviceDefinition(this.codec);
    this.Client = grpc.makeGenericClientConstructor(this.definition, 'Raft');
    this.maxMessageBytes = options.maxMessageBytes ?? 64 * 1024 * 1024;
    this.log = options.log ?? (() => {});
    this.addresses = { ...(options.peers ?? {}) };
  }

  /** The port the server listens on (useful with a `:0` bind). */
  get port(): number {
    return this.boundPort;
  }

  async start(handler: TransportHandler): Promise<void> {
    if (this.server) throw new TransportError(`transport ${this.id} already started`);
    this.handler = handler;
    const server = new grpc.Server({
      'grpc.max_receive_message_length': this.maxMessageBytes,
      'grpc.max_send_message_length': this.maxMessageBytes,
      'grpc.keepalive_permit_without_calls': 1,
      'grpc.http2.min_ping_interval_without_data_ms': 5_000,
    });
    server.addService(this.definition, {
      Stream: (call: grpc.ServerDuplexStream<Buffer, Buffer>) => this.serveStream(call),
      InstallSnapshot: (call: grpc.ServerReadableStream<Buffer, Buffer>, cb: grpc.sendUnaryData<Buffer>) =>
        this.serveSnapshot(call, cb),
    });
    const bind = this.options.bind ?? this.id;
    this.boundPort = await new Promise<number>((resolve, reject) => {
      server.bindAsync(bind, serverCredentials(this.options.tls), (err, port) =>
        err
          ? reject(new TransportError(`cannot listen on ${bind}: ${err.message}`, { cause: err }))
          : resolve(port),
      );
    });
    this.server = server;
    widenReceiveWindows(server, this.options.flowControlWindowBytes ?? 16 * 1024 * 1024);
    this.log('info', 'raft transport listening', { bind, id: this.id, port: this.boundPort });
  }

  send(message: Message): void {
    if (!this.handler) throw new TransportError(`transport ${this.id} is not started`);
    this.peer(message.to).send(message);
  }

  flush(): void {
    for (const p of this.peers.values()) p.conn.flushNow();
  }

  setPeerAddresses(addresses: Readonly<Record<NodeId, string>>): void {
    this.addresses = { ...addresses };
    for (const [id, p] of this.peers) {
      if ((this.addresses[id] ?? id) !== p.address) {
        p.conn.close();
        p.client.close();
        this.peers.delete(id);
      }
    }
  }

  async stop(): Promise<void> {
    this.handler = undefined;
    for (const p of this.peers.values()) {
      p.conn.close();
      p.client.close();
    }
    this.peers.clear();
    const server = this.server;
    this.server = undefined;
    if (server) {
      // Streams never end on their own, so a graceful shutdown would wait forever: force it.
      server.forceShutdown();
    }
  }

  /** Opens the streams to `peers` now (see Transport.connect). */
  connect(peers: readonly NodeId[]): void {
    for (const id of peers) if (id !== this.id) this.peer(id).connectNow();
  }

  private peer(id: NodeId): PeerConnection {
    const hit = this.peers.get(id);
    if (hit) return hit.conn;
    const address = this.addresses[id] ?? id;
    const tls = this.options.tls;
    const client = new this.Client(address, channelCredentials(tls), {
      'grpc.max_receive_message_length': this.maxMessageBytes,
      'grpc.max_send_message_length': this.maxMessageBytes,
      'grpc-node.flow_control_window': this.options.flowControlWindowBytes ?? 16 * 1024 * 1024,
      // Short caps on purpose: a peer that comes back (restart, cold start) must be reachable again
      // well within an election timeout, and a refused connect on a LAN costs next to nothing.
      'grpc.initial_reconnect_backoff_ms': 50,
      'grpc.max_reconnect_backoff_ms': this.options.backoffMaxMs ?? 250,
      'grpc.keepalive_time_ms': 10_000,
      'grpc.keepalive_timeout_ms': 5_000,
      'grpc.keepalive_permit_without_calls': 1,
      ...(tls?.serverNameOverride ? { 'grpc.ssl_target_name_override': tls.serverNameOverride } : {}),
    }) as unknown as RaftClient;
    const conn = new PeerConnection(client, {
      self: this.id,
      peer: id,
      codec: this.codec,
      maxMessageBytes: this.maxMessageBytes,
      snapshotChunkBytes: this.options.snapshotChunkBytes ?? 1024 * 1024,
      snapshotDeadlineMs: this.options.snapshotDeadlineMs ?? 120_000,
      connectTimeoutMs: this.options.connectTimeoutMs ?? 2_000,
      backoffInitialMs: this.options.backoffInitialMs ?? 50,
      backoffMaxMs: this.options.backoffMaxMs ?? 250,
      random: this.options.random ?? Math.random,
      onUnreachable: (p) => this.handler?.onUnreachable?.(p),
      onConnected: (p) => this.handler?.onPeerConnected?.(p),
      onSnapshotStatus: (p, ok) => this.handler?.onSnapshotStatus?.(p, ok),
      ...(this.options.onDropped ? { onDropped: this.options.onDropped } : {}),
      log: this.log,
    });
    this.peers.set(id, { conn, client, address });
    return conn;
  }

  /**
   * A peer just opened its stream to us, so it is up. If our stream to it is waiting out a
   * reconnect delay (it was down), dial it again now on a fresh channel (grpc-js's own channel
   * backoff cannot be reset): a restarted follower then hears its leader within a heartbeat,
   * not after up to backoffMaxMs more.
   */
  private redialIfBackingOff(id: NodeId): void {
    const p = this.peers.get(id);
    if (p === undefined || !p.conn.backingOff) return;
    this.log('debug', 'peer is back: dialling it now', { peer: id });
    p.conn.close();
    p.client.close();
    this.peers.delete(id);
    this.peer(id).connectNow();
  }

  private claimed(md: grpc.Metadata): { from: string; to: string } {
    return { from: String(md.get('raft-from')[0] ?? ''), to: String(md.get('raft-to')[0] ?? '') };
  }

  private serveStream(call: grpc.ServerDuplexStream<Buffer, Buffer>): void {
    const { from, to } = this.claimed(call.metadata);
    if (from === '' || (to !== '' && to !== this.id)) {
      this.log('warn', 'refusing raft stream', { from, to, self: this.id });
      call.destroy(
        Object.assign(new Error(`this node is ${this.id}, not ${to}`), {
          code: grpc.status.FAILED_PRECONDITION,
        }),
      );
      return;
    }
    call.write(encode(this.codec.StreamHello, { nodeId: this.id }));
    this.redialIfBackingOff(from);
    call.on('data', (buf: Buffer) => {
      let messages: Message[];
      try {
        messages = decodeBatch(this.codec, buf);
      } catch (err) {
        this.log('warn', 'undecodable raft batch', { from, error: (err as Error).message });
        return;
      }
      for (const m of messages) {
        if (m.from !== from || m.to !== this.id) {
          this.log('warn', 'dropping misaddressed raft message', {
            streamFrom: from,
            from: m.from,
            to: m.to,
          });
          continue;
        }
        this.handler?.onMessage(m);
      }
    });
    call.on('end', () => call.end());
    call.on('error', () => {
      // The peer went away; its side reconnects.
    });
  }

  private serveSnapshot(
    call: grpc.ServerReadableStream<Buffer, Buffer>,
    cb: grpc.sendUnaryData<Buffer>,
  ): void {
    const { from } = this.claimed(call.metadata);
    const max = this.options.maxSnapshotBytes ?? 2 ** 32 - 1;
    let header: Record<string, unknown> | undefined;
    let total = 0;
    let received = 0;
    let parts: Buffer[] = [];
    let failed = false;
    const fail = (error: string) => {
      if (failed) return;
      failed = true;
      parts = [];
      this.log('warn', 'refusing snapshot', { from, error });
      cb(null, encode(this.codec.SnapshotAck, { ok: false, error }));
    };
    call.on('data', (buf: Buffer) => {
      if (failed) return;
      const chunk = this.codec.SnapshotChunk.toObject(this.codec.SnapshotChunk.decode(buf), TO_OBJECT) as {
        header?: Record<string, unknown>;
        totalBytes?: number;
        data?: Uint8Array;
      };
      if (header === undefined) {
        if (chunk.header === undefined) return fail('first chunk has no header');
        header = chunk.header;
        total = chunk.totalBytes ?? 0;
        if (total > max) return fail(`snapshot of ${total} bytes exceeds the limit of ${max}`);
        if (String(header.from) !== from) return fail('header.from disagrees with the stream identity');
      }
      const data = chunk.data ?? new Uint8Array();
      received += data.byteLength;
      if (received > total) return fail(`more data than announced (${total} bytes)`);
      parts.push(Buffer.from(data.buffer, data.byteOffset, data.byteLength));
    });
    call.on('end', () => {
      if (failed) return;
      if (header === undefined) return fail('empty snapshot stream');
      if (received !== total) return fail(`received ${received} of ${total} bytes`);
      let message: Message;
      try {
        message = fromWire(header, Buffer.concat(parts, total));
      } catch (err) {
        return fail((err as Error).message);
      }
      parts = [];
      if (message.type !== 'snapshot' || message.snapshot === undefined || message.to !== this.id) {
        return fail('header is not a snapshot message for this node');
      }
      this.handler?.onMessage(message);
      cb(null, encode(this.codec.SnapshotAck, { ok: true }));
    });
    call.on('error', () => {
      failed = true;
      parts = [];
    });
  }
}
