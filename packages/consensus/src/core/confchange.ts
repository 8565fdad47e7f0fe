// Single-server membership changes (Ongaro's thesis §4.1) carried in `conf` entries as JSON.
// The leader also records the resulting membership in the entry, so a node replaying the log from
// any point (a new server, or a restart) learns the exact membership without knowing the base.
import type { ConfChange, ConfState, NodeId } from '../types.js';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** A ConfState with every field present (the core's working form). */
export interface Membership {
  readonly voters: readonly NodeId[];
  readonly learners: readonly NodeId[];
  readonly incarnations: Readonly<Record<NodeId, string>>;
}

interface EncodedConfChange {
  readonly type: ConfChange['type'];
  readonly node: NodeId;
  readonly incarnation?: string;
  /** The membership once the change takes effect (absent in entries of older versions). */
  readonly voters?: readonly NodeId[];
  readonly learners?: readonly NodeId[];
  readonly incarnations?: Readonly<Record<NodeId, string>>;
}

const TYPES: readonly ConfChange['type'][] = ['addVoter', 'addLearner', 'removeServer'];

/** Fills the optional fields of a ConfState. */
export function membership(conf: ConfState): Membership {
  return {
    voters: [...conf.voters],
    learners: [...(conf.learners ?? [])],
    incarnations: { ...(conf.incarnations ?? {}) },
  };
}

/** A ConfState copy of `m` that leaves out empty optional fields (what storage and snapshots hold). */
export function toConfState(m: Membership): ConfState {
  const out: { voters: NodeId[]; learners?: NodeId[]; incarnations?: Record<NodeId, string> } = {
    voters: [...m.voters],
  };
  if (m.learners.length > 0) out.learners = [...m.learners];
  if (Object.keys(m.incarnations).length > 0) out.incarnations = { ...m.incarnations };
  return out;
}

/**
 * Encodes a change as the data of a `conf` entry; `result` is the membership once it takes effect
 * (a plain voter list is accepted for callers that know no learners).
 */
export function encodeConfChange(change: ConfChange, result?: Membership | readonly NodeId[]): Uint8Array {
  const body: {
    -readonly [K in keyof EncodedConfChange]: EncodedConfChange[K];
  } = { type: change.type, node: change.node };
  if (change.incarnation !== undefined) body.incarnation = change.incarnation;
  if (result !== undefined) {
    const m = isVoterList(result) ? membership({ voters: result }) : result;
    body.voters = [...m.voters];
    if (m.learners.length > 0) body.learners = [...m.learners];
    if (Object.keys(m.incarnations).length > 0) body.incarnations = { ...m.incarnations };
  }
  return encoder.encode(JSON.stringify(body));
}

function isVoterList(v: Membership | readonly NodeId[]): v is readonly NodeId[] {
  return Array.isArray(v);
}

/** Decodes the data of a `conf` entry; throws TypeError when it is not a ConfChange. */
export function decodeConfChange(data: Uint8Array): ConfChange {
  const { type, node, incarnation } = parse(data);
  return incarnation === undefined ? { type, node } : { type, node, incarnation };
}

/** The membership after applying the `conf` entry `data` to `current`. */
export function confAfter(data: Uint8Array, current: Membership): Membership {
  const body = parse(data);
  if (body.voters) {
    return {
      voters: [...body.voters],
      learners: [...(body.learners ?? [])],
      incarnations: { ...(body.incarnations ?? {}) },
    };
  }
  return applyChange(current, body);
}

/** Applies one single-server change to a membership (idempotent). */
export function applyChange(current: Membership, change: ConfChange): Membership {
  const { node } = change;
  const voters = current.voters.filter((v) => v !== node);
  const learners = current.learners.filter((v) => v !== node);
  const incarnations = { ...current.incarnations };
  delete incarnations[node];
  if (change.type === 'addVoter') {
    if (current.voters.includes(node)) return membership(current);
    voters.push(node);
    if (change.incarnation !== undefined) incarnations[node] = change.incarnation;
  } else if (change.type === 'addLearner') {
    learners.push(node);
  }
  return { voters, learners, incarnations };
}

function parse(data: Uint8Array): EncodedConfChange {
  const body = JSON.parse(decoder.decode(data)) as Partial<EncodedConfChange> | null;
  if (
    body === null ||
    typeof body !== 'object' ||
    !TYPES.includes(body.type as ConfChange['type']) ||
    typeof body.node !== 'string' ||
    (body.incarnation !== undefined && typeof body.incarnation !== 'string') ||
    (body.voters !== undefined && !Array.isArray(body.voters)) ||
    (body.learners !== undefined && !Array.isArray(body.learners)) ||
    (body.incarnations !== undefined && (typeof body.incarnations !== 'object' || body.incarnations === null))
  ) {
    throw new TypeError('conf entry data is not an encoded ConfChange');
  }
  return body as EncodedConfChange;
}
