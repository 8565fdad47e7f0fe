// A node that starts with empty storage cannot tell a brand-new cluster from one that lost this
// node's data: a re-provisioned voter has forgotten its votes and the entries it acknowledged, so it
// starts *recovering* (HardState.recovering) and neither votes nor campaigns nor counts toward a
// quorum until it is admitted. Two ways in (safety argument: docs/core.md "A node with empty
// storage"):
//  - promotion: the leader demotes a voter that reports an unknown incarnation to learner, catches
//    it up, and promotes it with an `addVoter` entry naming that incarnation; once the node holds
//    that entry committed, it is admitted;
//  - a brand-new cluster: every other bootstrap voter answers a probe with an empty log. The node
//    then adopts the highest term they report and counts that term's vote as spent.

import type { NodeId } from '../types.js';

/** A fresh incarnation id: 64 random bits as hex, from the core's injected random source. */
export function newIncarnation(random: () => number): string {
  const word = () =>
    Math.floor(random() * 0x1_0000_0000)
      .toString(16)
      .padStart(8, '0');
  return `${word()}${word()}`;
}

/** What the other bootstrap voters answered a recovering node's probes. */
export class FreshClusterProbe {
  private readonly answers = new Map<NodeId, number>();
  /** Someone holds log entries: this is not a new cluster, wait to be promoted. */
  notFresh = false;

  /** Records `from`'s answer; `term` and `lastIndex` are its state when it answered. */
  record(from: NodeId, term: number, lastIndex: number): void {
    if (lastIndex > 0) this.notFresh = true;
    this.answers.set(from, Math.max(term, this.answers.get(from) ?? 0));
  }

  answered(id: NodeId): boolean {
    return this.answers.has(id);
  }

  /**
   * The highest term among the answers once every one of `peers` answered with an empty log, else
   * undefined (still waiting, or not a new cluster).
   */
  freshTerm(peers: readonly NodeId[]): number | undefined {
    if (this.notFresh || !peers.every((p) => this.answers.has(p))) return undefined;
    let max = 0;
    for (const p of peers) max = Math.max(max, this.answers.get(p) ?? 0);
    return max;
  }
}
