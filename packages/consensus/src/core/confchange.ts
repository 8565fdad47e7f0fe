// Single-server membership changes (Ongaro's thesis §4.1) carried in `conf` entries as JSON.
// The leader also records the resulting voter set in the entry, so a node replaying the log from
// any point (a new server, or a restart) learns the exact membership without knowing the base.
import type { ConfChange, NodeId } from '../types.js';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

interface EncodedConfChange {
  readonly type: ConfChange['type'];
  readonly node: NodeId;
  readonly voters?: readonly NodeId[];
}

/** Encodes a change as the data of a `conf` entry; `voters` is the membership once it takes effect. */
export function encodeConfChange(change: ConfChange, voters?: readonly NodeId[]): Uint8Array {
  const body: EncodedConfChange = voters
    ? { type: change.type, node: change.node, voters: [...voters] }
    : { type: change.type, node: change.node };
  return encoder.encode(JSON.stringify(body));
}

/** Decodes the data of a `conf` entry; throws TypeError when it is not a ConfChange. */
export function decodeConfChange(data: Uint8Array): ConfChange {
  const { type, node } = parse(data);
  return { type, node };
}

/** The voter set after applying the `conf` entry `data` to `current`. */
export function votersAfter(data: Uint8Array, current: readonly NodeId[]): NodeId[] {
  const body = parse(data);
  if (body.voters) return [...body.voters];
  return applyChange(current, body);
}

/** Applies one single-server change to a voter set (idempotent). */
export function applyChange(current: readonly NodeId[], change: ConfChange): NodeId[] {
  if (change.type === 'addVoter') {
    return current.includes(change.node) ? [...current] : [...current, change.node];
  }
  return current.filter((v) => v !== change.node);
}

function parse(data: Uint8Array): EncodedConfChange {
  const body = JSON.parse(decoder.decode(data)) as Partial<EncodedConfChange> | null;
  if (
    body === null ||
    typeof body !== 'object' ||
    (body.type !== 'addVoter' && body.type !== 'removeServer') ||
    typeof body.node !== 'string' ||
    (body.voters !== undefined && !Array.isArray(body.voters))
  ) {
    throw new TypeError('conf entry data is not an encoded ConfChange');
  }
  return body as EncodedConfChange;
}
