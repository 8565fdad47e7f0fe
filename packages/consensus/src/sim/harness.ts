// A synchronous in-process cluster of RawNodes for tests: messages are queued and delivered in
// order by stabilize(), with optional drop rules (partitions). No time passes unless tick() is called.
import type { CoreConfig, CoreEvent } from '../core/api.js';
import { RawNode } from '../core/rawnode.js';
import { MemoryLogStore, MemoryStableStore } from '../storage/memory.js';
import type { Entry, Message, NodeId, ReadState, Snapshot } from '../types.js';
import { mulberry32 } from './prng.js';

export interface HarnessNode {
  readonly id: NodeId;
  raw: RawNode;
  readonly log: MemoryLogStore;
  readonly stable: MemoryStableStore;
  /** Entries applied, in order (normal, conf and noop). */
  applied: Entry[];
  readStates: ReadState[];
  events: CoreEvent[];
  snapshot: Snapshot | undefined;
}

export type CoreOverrides = Partial<Omit<CoreConfig, 'id' | 'log' | 'stable' | 'random'>>;

export class Harness {
  readonly nodes = new Map<NodeId, HarnessNode>();
  /** Messages sent and not yet delivered. */
  queue: Message[] = [];
  /** Drop rule: return true to lose the message. */
  drop: (m: Message) => boolean = () => false;
  private readonly random: () => number;

  constructor(
    ids: readonly NodeId[],
    private readonly overrides: CoreOverrides = {},
    seed = 1,
  ) {
    this.random = mulberry32(seed);
    for (const id of ids) this.add(id, ids);
  }

  add(id: NodeId, bootstrapVoters: readonly NodeId[], overrides: CoreOverrides = {}): HarnessNode {
    const node: HarnessNode = {
      id,
      raw: undefined as unknown as RawNode,
      log: new MemoryLogStore(),
      stable: new MemoryStableStore(),
      applied: [],
      readStates: [],
      events: [],
      snapshot: undefined,
    };
    node.raw = this.makeRaw(node, bootstrapVoters, overrides);
    this.nodes.set(id, node);
    return node;
  }

  private makeRaw(node: HarnessNode, bootstrapVoters: readonly NodeId[], overrides: CoreOverrides): RawNode {
    return new RawNode({
      electionTicks: 10,
      heartbeatTicks: 1,
      // Unit tests of other rules start clusters under partitions; a new node's rejoin rules have
      // their own tests (emptyStorage: 'rejoin').
      emptyStorage: 'bootstrap',
      ...this.overrides,
      ...overrides,
      id: node.id,
      bootstrapVoters,
      log: node.log,
      stable: node.stable,
      random: this.random,
      applied: node.snapshot?.meta.index ?? 0,
      snapshotSource: () => node.snapshot,
    });
  }

  /** Rebuilds a node's RawNode from its storage (a crash after everything was persisted). */
  restart(id: NodeId, bootstrapVoters: readonly NodeId[]): void {
    const node = this.get(id);
    node.applied = node.applied.filter((e) => e.index <= (node.snapshot?.meta.index ?? 0));
    node.raw = this.makeRaw(node, bootstrapVoters, {});
  }

  /** Replaces `id` by a node with empty storage under the same id (a disk lost, a node re-provisioned). */
  wipe(id: NodeId, bootstrapVoters: readonly NodeId[], overrides: CoreOverrides = {}): HarnessNode {
    this.nodes.delete(id);
    return this.add(id, bootstrapVoters, overrides);
  }

  get(id: NodeId): HarnessNode {
    const n = this.nodes.get(id);
    if (!n) throw new Error(`no node ${id}`);
    return n;
  }

  raw(id: NodeId): RawNode {
    return this.get(id).raw;
  }

  /** Runs every node's Ready per the contract; outgoing messages go to the queue. */
  processReady(): void {
    for (const node of this.nodes.values()) {
      while (node.raw.hasReady()) {
        const rd = node.raw.ready();
        node.events.push(...(rd.events ?? []));
        if (rd.snapshot) {
          node.log.resetTo(rd.snapshot.meta);
          node.snapshot = rd.snapshot;
        }
        node.log.append(rd.entries);
        if (rd.hardState) node.stable.setHardState(rd.hardState);
        this.queue.push(...rd.messages);
        node.applied.push(...rd.committedEntries);
        node.readStates.push(...rd.readStates);
        node.raw.advance(rd);
      }
    }
  }

  /** Delivers queued messages (and the ones they cause) until none remain or `maxRounds` passes. */
  stabilize(maxRounds = 200): void {
    this.processReady();
    for (let round = 0; round < maxRounds && this.queue.length > 0; round++) {
      const batch = this.queue;
      this.queue = [];
      for (const m of batch) this.deliver(m);
      this.processReady();
    }
  }

  deliver(m: Message): void {
    if (this.drop(m)) return;
    this.nodes.get(m.to)?.raw.step(m);
  }

  /** Ticks the given nodes (default all) `n` times, stabilizing after each tick. */
  tick(n = 1, ids?: readonly NodeId[]): void {
    for (let i = 0; i < n; i++) {
      for (const id of ids ?? [...this.nodes.keys()]) this.raw(id).tick();
      this.stabilize();
    }
  }

  /** Makes `id` campaign and runs the election to its end. */
  elect(id: NodeId): void {
    this.raw(id).campaign();
    this.stabilize();
  }

  /** Cuts `id` off from everyone (both directions). */
  isolate(id: NodeId): void {
    this.drop = (m) => m.from === id || m.to === id;
  }

  heal(): void {
    this.drop = () => false;
  }

  leaders(): NodeId[] {
    return [...this.nodes.values()].filter((n) => n.raw.status().role === 'leader').map((n) => n.id);
  }

  /** Normal entries' data applied on `id`, decoded as UTF-8. */
  appliedData(id: NodeId): string[] {
    const dec = new TextDecoder();
    return this.get(id)
      .applied.filter((e) => e.kind === 'normal')
      .map((e) => dec.decode(e.data));
  }
}

export const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);

/** A lone RawNode over fresh memory stores, optionally pre-loaded with a log (one term per entry). */
export function standalone(
  id: NodeId,
  voters: readonly NodeId[],
  opts: CoreOverrides & { terms?: readonly number[]; term?: number; vote?: NodeId; commit?: number } = {},
): {
  raw: RawNode;
  log: MemoryLogStore;
  stable: MemoryStableStore;
  events: CoreEvent[];
  drain: () => Message[];
} {
  const { terms = [], term = 0, vote = '', commit = 0, ...overrides } = opts;
  const log = new MemoryLogStore();
  log.append(
    terms.map((t, i) => ({ index: i + 1, term: t, kind: 'normal' as const, data: bytes(`e${i + 1}`) })),
  );
  const stable = new MemoryStableStore();
  stable.setHardState({ term: Math.max(term, terms.at(-1) ?? 0), vote, commit });
  const events: CoreEvent[] = [];
  const raw = new RawNode({
    electionTicks: 10,
    heartbeatTicks: 1,
    emptyStorage: 'bootstrap',
    ...overrides,
    id,
    bootstrapVoters: voters,
    log,
    stable,
    random: mulberry32(7),
  });
  /** Runs one Ready per the contract and returns its messages. */
  const drain = (): Message[] => {
    const out: Message[] = [];
    while (raw.hasReady()) {
      const rd = raw.ready();
      events.push(...(rd.events ?? []));
      if (rd.snapshot) log.resetTo(rd.snapshot.meta);
      log.append(rd.entries);
      if (rd.hardState) stable.setHardState(rd.hardState);
      out.push(...rd.messages);
      raw.advance(rd);
    }
    return out;
  };
  return { raw, log, stable, events, drain };
}
