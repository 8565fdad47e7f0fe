// Conversion between the core's Message and proto/raft.proto through protobufjs reflection (no
// generated classes). By default the types come from the .proto's JSON descriptor, embedded at build
// time, so starting needs no file and no parsing (and works when bundled or installed alone); a
// protoPath loads a .proto file instead. uint64 fields decode as Long objects; they are turned back
// into numbers, which is exact because raft terms and indexes stay far below 2^53.
import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';
import type { Entry, EntryKind, Message, MessageType, NodeId, SnapshotMeta } from '../types.js';
import { RAFT_PROTO_DESCRIPTOR } from './raft-proto.generated.js';

/** Where proto/raft.proto lives in this repository (from src/transport and dist/transport alike). */
export const DEFAULT_PROTO_PATH = fileURLToPath(new URL('../../../../proto/raft.proto', import.meta.url));

const EMBEDDED = 'embedded:raft.proto';

const MESSAGE_TYPES: readonly MessageType[] = [
  'preVote',
  'preVoteResp',
  'vote',
  'voteResp',
  'append',
  'appendResp',
  'heartbeat',
  'heartbeatResp',
  'snapshot',
  'snapshotResp',
  'timeoutNow',
  'readIndex',
  'readIndexResp',
  'probe',
  'probeResp',
];
const MESSAGE_CODE = new Map(MESSAGE_TYPES.map((t, i) => [t, i]));
const ENTRY_KINDS: readonly EntryKind[] = ['normal', 'conf', 'noop'];
const ENTRY_CODE = new Map(ENTRY_KINDS.map((k, i) => [k, i]));

/** The message type of a proto enum value ('append' for an unknown one, which decoding never yields). */
export function messageTypeOf(code: number): MessageType {
  return MESSAGE_TYPES[code] ?? 'append';
}

/** The proto enum value of a message type. */
export function wireType(t: MessageType): number {
  return MESSAGE_CODE.get(t) ?? 0;
}

/** The protobufjs types the transport needs. */
export interface RaftCodec {
  readonly MessageBatch: protobuf.Type;
  readonly StreamHello: protobuf.Type;
  readonly SnapshotChunk: protobuf.Type;
  readonly SnapshotAck: protobuf.Type;
  /** Fully-qualified service name, for gRPC method paths. */
  readonly service: string;
}

const cache = new Map<string, RaftCodec>();

/** The codec for proto/raft.proto (embedded descriptor), or for the .proto file at `protoPath`. */
export function loadCodec(protoPath?: string): RaftCodec {
  const key = protoPath ?? EMBEDDED;
  const hit = cache.get(key);
  if (hit) return hit;
  const root =
    protoPath === undefined ? protobuf.Root.fromJSON(RAFT_PROTO_DESCRIPTOR) : protobuf.loadSync(protoPath);
  const ns = 'orchestrator.raft.v1';
  const codec: RaftCodec = {
    MessageBatch: root.lookupType(`${ns}.MessageBatch`),
    StreamHello: root.lookupType(`${ns}.StreamHello`),
    SnapshotChunk: root.lookupType(`${ns}.SnapshotChunk`),
    SnapshotAck: root.lookupType(`${ns}.SnapshotAck`),
    service: `${ns}.Raft`,
  };
  cache.set(key, codec);
  return codec;
}

/** The plain-object shape protobufjs encodes (field names in camelCase). */
export interface WireMessage {
  type: number;
  from: string;
  to: string;
  term: number;
  logTerm?: number;
  index?: number;
  entries?: { index: number; term: number; kind: number; data: Uint8Array }[];
  commit?: number;
  reject?: boolean;
  rejectHint?: number;
  context?: Uint8Array;
  incarnation?: string;
  snapshotMeta?: {
    index: number;
    term: number;
    voters: string[];
    learners?: string[];
    incarnations?: Record<string, string>;
  };
}

export function toWire(m: Message, withSnapshotMeta = false): WireMessage {
  const w: WireMessage = { type: MESSAGE_CODE.get(m.type) ?? 0, from: m.from, to: m.to, term: m.term };
  if (m.logTerm !== undefined) w.logTerm = m.logTerm;
  if (m.index !== undefined) w.index = m.index;
  if (m.commit !== undefined) w.commit = m.commit;
  if (m.reject !== undefined) w.reject = m.reject;
  if (m.rejectHint !== undefined) w.rejectHint = m.rejectHint;
  if (m.context !== undefined) w.context = m.context;
  if (m.incarnation !== undefined) w.incarnation = m.incarnation;
  if (m.entries !== undefined && m.entries.length > 0) {
    w.entries = m.entries.map((e) => ({
      index: e.index,
      term: e.term,
      kind: ENTRY_CODE.get(e.kind) ?? 0,
      data: e.data,
    }));
  }
  if (withSnapshotMeta && m.snapshot !== undefined) {
    const meta = m.snapshot.meta;
    w.snapshotMeta = { index: meta.index, term: meta.term, voters: [...meta.conf.voters] };
    if (meta.conf.learners !== undefined && meta.conf.learners.length > 0) {
      w.snapshotMeta.learners = [...meta.conf.learners];
    }
    if (meta.conf.incarnations !== undefined && Object.keys(meta.conf.incarnations).length > 0) {
      w.snapshotMeta.incarnations = { ...meta.conf.incarnations };
    }
  }
  return w;
}

const num = (v: unknown): number => (typeof v === 'number' ? v : Number(v ?? 0));

/** A plain Uint8Array view (no copy) of decoded bytes, so values compare equal to the core's. */
const bytes = (v: unknown): Uint8Array => {
  if (!(v instanceof Uint8Array)) return new Uint8Array();
  return v.constructor === Uint8Array ? v : new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
};

/** Decodes one wire message (as produced by `Type.toObject(…, {longs: Number})`). */
export function fromWire(w: Record<string, unknown>, snapshotData?: Uint8Array): Message {
  const type = MESSAGE_TYPES[num(w.type)];
  if (type === undefined) throw new Error(`unknown raft message type ${String(w.type)}`);
  const m: {
    -readonly [K in keyof Message]: Message[K];
  } = { type, from: String(w.from ?? ''), to: String(w.to ?? ''), term: num(w.term) };
  if (w.logTerm !== undefined) m.logTerm = num(w.logTerm);
  if (w.index !== undefined) m.index = num(w.index);
  if (w.commit !== undefined) m.commit = num(w.commit);
  if (w.reject !== undefined) m.reject = Boolean(w.reject);
  if (w.rejectHint !== undefined) m.rejectHint = num(w.rejectHint);
  if (w.context !== undefined) m.context = bytes(w.context);
  if (typeof w.incarnation === 'string') m.incarnation = w.incarnation;
  const wireEntries = w.entries as Record<string, unknown>[] | undefined;
  if (wireEntries !== undefined && wireEntries.length > 0) {
    m.entries = wireEntries.map(
      (e): Entry => ({
        index: num(e.index),
        term: num(e.term),
        kind: ENTRY_KINDS[num(e.kind)] ?? 'normal',
        data: bytes(e.data),
      }),
    );
  } else if (type === 'append') {
    m.entries = [];
  }
  const meta = w.snapshotMeta as Record<string, unknown> | undefined;
  if (type === 'snapshot' && meta !== undefined) {
    const learners = ((meta.learners as NodeId[] | undefined) ?? []).map(String);
    const incarnations = (meta.incarnations as Record<NodeId, string> | undefined) ?? {};
    const snapMeta: SnapshotMeta = {
      index: num(meta.index),
      term: num(meta.term),
      conf: {
        voters: ((meta.voters as NodeId[] | undefined) ?? []).map(String),
        ...(learners.length > 0 ? { learners } : {}),
        ...(Object.keys(incarnations).length > 0
          ? { incarnations: Object.fromEntries(Object.entries(incarnations).map(([k, v]) => [k, String(v)])) }
          : {}),
      },
    };
    m.snapshot = { meta: snapMeta, data: bytes(snapshotData) };
  }
  return m;
}

export const TO_OBJECT: protobuf.IConversionOptions = {
  longs: Number,
  enums: Number,
  arrays: false,
  defaults: false,
};

export function encodeBatch(codec: RaftCodec, messages: readonly WireMessage[]): Buffer {
  const bytes = codec.MessageBatch.encode({ messages }).finish();
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** A decoded uint64: a Long when the `long` package is present, else a number. */
const long = (v: unknown): number =>
  typeof v === 'number'
    ? v
    : v && typeof v === 'object' && 'toNumber' in v
      ? (v as { toNumber(): number }).toNumber()
      : 0;
const has = (o: object, k: string): boolean => Object.hasOwn(o, k);

/**
 * Decodes a batch straight from protobufjs's message objects. `toObject` would be simpler but costs
 * ~15× the decode itself; fields absent on the wire are not own properties, which is how optional
 * fields are told apart from zero.
 */
export function decodeBatch(codec: RaftCodec, buf: Uint8Array): Message[] {
  const batch = codec.MessageBatch.decode(buf) as unknown as { messages?: Record<string, unknown>[] };
  const out: Message[] = [];
  for (const w of batch.messages ?? []) {
    const type = MESSAGE_TYPES[has(w, 'type') ? Number(w.type) : 0];
    if (type === undefined) throw new Error(`unknown raft message type ${String(w.type)}`);
    const m: { -readonly [K in keyof Message]: Message[K] } = {
      type,
      from: has(w, 'from') ? String(w.from) : '',
      to: has(w, 'to') ? String(w.to) : '',
      term: has(w, 'term') ? long(w.term) : 0,
    };
    if (has(w, 'logTerm')) m.logTerm = long(w.logTerm);
    if (has(w, 'index')) m.index = long(w.index);
    if (has(w, 'commit')) m.commit = long(w.commit);
    if (has(w, 'reject')) m.reject = Boolean(w.reject);
    if (has(w, 'rejectHint')) m.rejectHint = long(w.rejectHint);
    if (has(w, 'context')) m.context = bytes(w.context);
    if (has(w, 'incarnation')) m.incarnation = String(w.incarnation);
    const ents = w.entries as Record<string, unknown>[] | undefined;
    if (ents && ents.length > 0) {
      m.entries = ents.map(
        (e): Entry => ({
          index: long(e.index),
          term: long(e.term),
          kind: ENTRY_KINDS[Number(e.kind ?? 0)] ?? 'normal',
          data: bytes(e.data),
        }),
      );
    } else if (type === 'append') {
      m.entries = [];
    }
    out.push(m);
  }
  return out;
}
