// The chaos nemesis: picks a fault (pure, from a seeded random source), injects it into a cluster
// through a small interface, holds it, then heals. One fault at a time, so a majority usually stays
// reachable, but the faults overlap with elections and catch-up of the previous one.
import { mulberry32 } from '@orchestrator/consensus';

/** A seeded random source (the raft simulator's mulberry32): the same seed gives the same faults. */
export const seededRandom: (seed: number) => () => number = mulberry32;

export const FAULT_KINDS = [
  'kill9',
  'kill9-leader',
  'pause',
  'pause-leader',
  'restart',
  'isolate',
  'isolate-leader',
  'leader-cut-from-peers',
  'cut-pair',
  'one-way',
  'isolate-two',
  'snapshot',
] as const;

export type FaultKind = (typeof FAULT_KINDS)[number];

export interface FaultPlan {
  readonly kind: FaultKind;
  /** Node index the fault hits (for leader faults: the fallback when no leader is known). */
  readonly node: number;
  /** The second node of cut-pair / one-way. */
  readonly other: number;
  /** How long the fault lasts before it is healed. */
  readonly holdMs: number;
  /** Quiet time after healing. */
  readonly pauseMs: number;
}

/** The next fault, from `random`; pure. */
export function planFault(random: () => number, nodes: number): FaultPlan {
  const pick = (n: number) => Math.min(n - 1, Math.floor(random() * n));
  const kind = FAULT_KINDS[pick(FAULT_KINDS.length)]!;
  const node = pick(nodes);
  const other = (node + 1 + pick(nodes - 1)) % nodes;
  const holdMs = 500 + Math.round(random() * 3500);
  const pauseMs = 300 + Math.round(random() * 1200);
  return { kind, node, other, holdMs, pauseMs };
}

/** What the nemesis needs from a cluster: process control and network control by node index. */
export interface NemesisTarget {
  readonly size: number;
  /** The node answering leader-check 200 right now, if any. */
  leader(): Promise<number | undefined>;
  kill9(node: number): Promise<void>;
  /** SIGTERM and wait for the exit. */
  stop(node: number): Promise<void>;
  start(node: number): void;
  running(node: number): boolean;
  pause(node: number): void;
  resume(node: number): void;
  isolate(node: number): void;
  blockPath(from: number, to: number): void;
  healNetwork(): void;
  /** Asks a node to take a raft snapshot (compacts its log); errors are ignored. */
  snapshot(node: number): Promise<void>;
}

export interface NemesisRecord {
  readonly at: number;
  readonly kind: FaultKind;
  readonly nodes: readonly number[];
  readonly holdMs: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Runs faults until `stop()` (or `untilMs` since the epoch); `healAll()` leaves everything up. */
export class Nemesis {
  readonly history: NemesisRecord[] = [];
  private stopped = false;
  private readonly paused = new Set<number>();

  constructor(
    private readonly target: NemesisTarget,
    private readonly random: () => number,
    private readonly log: (line: string) => void = () => {},
  ) {}

  counts(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const r of this.history) out[r.kind] = (out[r.kind] ?? 0) + 1;
    return out;
  }

  stop(): void {
    this.stopped = true;
  }

  async run(untilMs: number): Promise<void> {
    while (!this.stopped && Date.now() < untilMs) {
      const plan = planFault(this.random, this.target.size);
      const hold = Math.min(plan.holdMs, Math.max(0, untilMs - Date.now()));
      try {
        await this.inject(plan, hold);
      } finally {
        await this.healAll();
      }
      await sleep(plan.pauseMs);
    }
  }

  private async resolve(plan: FaultPlan): Promise<number> {
    if (!plan.kind.includes('leader')) return plan.node;
    return (await this.target.leader()) ?? plan.node;
  }

  private record(kind: FaultKind, nodes: number[], holdMs: number): void {
    this.history.push({ at: Date.now(), kind, nodes, holdMs });
    this.log(`nemesis: ${kind} ${nodes.join(',')} for ${holdMs} ms`);
  }

  private async inject(plan: FaultPlan, hold: number): Promise<void> {
    const t = this.target;
    const node = await this.resolve(plan);
    const peers = Array.from({ length: t.size }, (_, i) => i).filter((i) => i !== node);
    switch (plan.kind) {
      case 'kill9':
      case 'kill9-leader':
        if (!t.running(node)) return;
        this.record(plan.kind, [node], hold);
        await t.kill9(node);
        await sleep(hold);
        return;
      case 'pause':
      case 'pause-leader':
        if (!t.running(node)) return;
        this.record(plan.kind, [node], hold);
        t.pause(node);
        this.paused.add(node);
        await sleep(hold);
        return;
      case 'restart':
        if (!t.running(node)) return;
        this.record(plan.kind, [node], 0);
        await t.stop(node);
        t.start(node);
        return;
      case 'isolate':
      case 'isolate-leader':
        this.record(plan.kind, [node], hold);
        t.isolate(node);
        await sleep(hold);
        return;
      case 'leader-cut-from-peers':
        // The leader keeps its link to the clients but loses both peers: it must not acknowledge.
        this.record(plan.kind, [node], hold);
        for (const p of peers) {
          t.blockPath(node, p);
          t.blockPath(p, node);
        }
        await sleep(hold);
        return;
      case 'cut-pair':
        this.record(plan.kind, [plan.node, plan.other], hold);
        t.blockPath(plan.node, plan.other);
        t.blockPath(plan.other, plan.node);
        await sleep(hold);
        return;
      case 'one-way':
        this.record(plan.kind, [plan.node, plan.other], hold);
        t.blockPath(plan.node, plan.other);
        await sleep(hold);
        return;
      case 'isolate-two':
        // No quorum anywhere: nothing may be acknowledged until it heals.
        this.record(plan.kind, [plan.node, plan.other], hold);
        t.isolate(plan.node);
        t.isolate(plan.other);
        await sleep(hold);
        return;
      case 'snapshot':
        this.record(plan.kind, [node], 0);
        await t.snapshot(node);
        return;
    }
  }

  /** Heals the network, resumes paused nodes and starts stopped ones. */
  async healAll(): Promise<void> {
    this.target.healNetwork();
    for (const node of this.paused) this.target.resume(node);
    this.paused.clear();
    for (let i = 0; i < this.target.size; i++) if (!this.target.running(i)) this.target.start(i);
  }
}
