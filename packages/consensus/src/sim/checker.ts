// Safety properties of raft, checked by the simulator after every step. Each check records what it
// has seen globally and throws SafetyViolation the moment two observations disagree.
import type { Entry, NodeId } from '../types.js';

export class SafetyViolation extends Error {
  readonly code = 'SAFETY_VIOLATION' as const;

  constructor(message: string) {
    super(message);
    this.name = 'SafetyViolation';
  }
}

/** FNV-1a over an entry's kind and data: equal entries have equal keys (collisions are negligible here). */
export function entryKey(e: Entry): number {
  let h = 0x811c9dc5 ^ (e.kind === 'normal' ? 1 : e.kind === 'conf' ? 2 : 3);
  for (const b of e.data) h = Math.imul(h ^ b, 0x01000193);
  return (Math.imul(h ^ e.data.byteLength, 0x01000193) >>> 0) + 1;
}

/** The state machine state after applying `key` at `index` on top of `hash`. */
export function applyHash(hash: number, index: number, key: number): number {
  let h = Math.imul(hash ^ index, 0x01000193);
  h = Math.imul(h ^ key, 0x01000193);
  return h >>> 0;
}

export class Checker {
  /** term → the one leader elected in it (Election Safety). */
  private readonly leaders = new Map<number, NodeId>();
  /** `${index}:${term}` → entry key and the term of the entry before it (Log Matching, by induction). */
  private readonly seen = new Map<string, { key: number; prevTerm: number }>();
  /** Every entry ever reported committed by any node (State Machine Safety). */
  readonly committed = new Map<number, { term: number; key: number }>();
  /** index → state machine hash after applying it: every node applies the same sequence. */
  private readonly appliedHash = new Map<number, number>();
  /** Proposals whose proposer saw them committed in the term they were proposed in. */
  readonly acked = new Map<number, { term: number; key: number }>();
  maxCommitted = 0;

  leaderElected(term: number, id: NodeId): void {
    const prev = this.leaders.get(term);
    if (prev !== undefined && prev !== id) {
      throw new SafetyViolation(`two leaders in term ${term}: ${prev} and ${id}`);
    }
    this.leaders.set(term, id);
  }

  /** A node persisted `e`, whose predecessor in that node's log has term `prevTerm`. */
  persisted(node: NodeId, e: Entry, prevTerm: number): void {
    const k = `${e.index}:${e.term}`;
    const key = entryKey(e);
    const prev = this.seen.get(k);
    if (!prev) {
      this.seen.set(k, { key, prevTerm });
      return;
    }
    if (prev.key !== key) {
      throw new SafetyViolation(
        `log matching: ${node} holds a different entry at index ${e.index} term ${e.term}`,
      );
    }
    if (prev.prevTerm !== prevTerm) {
      throw new SafetyViolation(
        `log matching: ${node} has entry ${e.index}/${e.term} after term ${prevTerm}, another log after term ${prev.prevTerm}`,
      );
    }
  }

  /** A node reported `e` committed (in a Ready's committedEntries). */
  committedEntry(node: NodeId, e: Entry): void {
    const key = entryKey(e);
    const prev = this.committed.get(e.index);
    if (!prev) {
      this.committed.set(e.index, { term: e.term, key });
      if (e.index > this.maxCommitted) this.maxCommitted = e.index;
      return;
    }
    if (prev.term !== e.term || prev.key !== key) {
      throw new SafetyViolation(
        `committed entry changed: ${node} committed ${e.index}/${e.term}, earlier ${e.index}/${prev.term}`,
      );
    }
  }

  /** A node's state machine reached `hash` after applying `index`. */
  applied(node: NodeId, index: number, hash: number): void {
    const prev = this.appliedHash.get(index);
    if (prev === undefined) this.appliedHash.set(index, hash);
    else if (prev !== hash) {
      throw new SafetyViolation(`${node} applied a different sequence up to index ${index}`);
    }
  }

  ack(index: number, term: number, key: number): void {
    this.acked.set(index, { term, key });
  }

  /**
   * Leader Completeness: a new leader's log holds every committed (and every acknowledged) entry
   * at or after its first index. `termAt` reads the leader's durable log.
   */
  leaderComplete(id: NodeId, firstIndex: number, termAt: (i: number) => number | undefined): void {
    for (const [index, c] of this.committed) {
      if (index < firstIndex) continue;
      const t = termAt(index);
      if (t !== c.term) {
        throw new SafetyViolation(`leader ${id} lacks committed entry ${index}/${c.term} (has term ${t})`);
      }
    }
    for (const [index, a] of this.acked) {
      if (index < firstIndex) continue;
      if (termAt(index) !== a.term) {
        throw new SafetyViolation(`leader ${id} lacks acknowledged proposal at ${index}/${a.term}`);
      }
    }
  }
}
