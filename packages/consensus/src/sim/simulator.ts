// The deterministic simulator: N RawNodes in one process on a virtual clock, driven by one seeded
// PRNG, with a faulty network (loss, delay, duplication, reordering, symmetric and one-way
// partitions), crashes with and without losing unsynced writes, crashes that lose everything (a
// wiped disk, restarted under the same id), membership changes, leadership transfers, concurrent
// proposers, reads, snapshots and compaction. The Checker verifies raft's
// safety properties after every step; a final healed phase checks liveness within a bound.
import type { CoreConfig } from '../core/api.js';
import { confAfter, membership } from '../core/confchange.js';
import { RawNode } from '../core/rawnode.js';
import { MemoryLogStore, MemoryStableStore } from '../storage/memory.js';
import type { Message, NodeId, Ready, Snapshot } from '../types.js';
import { applyHash, Checker, entryKey, SafetyViolation } from './checker.js';
import { Rng } from './prng.js';

export interface SimOptions {
  readonly seed: number;
  /** Ticks of the fault phase (default 300). */
  readonly ticks?: number;
  /** Keep a trace of events for a failure report (slower; used when replaying a seed). */
  readonly trace?: boolean;
}

export interface SimResult {
  readonly seed: number;
  readonly ok: boolean;
  readonly error?: string;
  readonly trace?: readonly string[];
  readonly stats: SimStats;
}

export interface SimStats {
  nodes: number;
  ticks: number;
  committed: number;
  acked: number;
  elections: number;
  crashes: number;
  /** Crashes that lost the node's whole storage. */
  wipes: number;
  snapshotsInstalled: number;
  confChanges: number;
  transfers: number;
  reads: number;
  refused: number;
}

interface SimNode {
  readonly id: NodeId;
  /** The peers it is configured with (what an operator gives a re-provisioned node: the current voters). */
  bootstrap: readonly NodeId[];
  log: MemoryLogStore;
  stable: MemoryStableStore;
  /** The newest durable snapshot (the application's, taken at its applied index). */
  snap: Snapshot | undefined;
  raw: RawNode | undefined;
  /** Application state: index applied up to and a hash of the sequence applied. */
  fsmIndex: number;
  fsmHash: number;
  /** Wiped, and not yet durably admitted again. */
  lostData: boolean;
}

interface InFlight {
  readonly at: number;
  readonly seq: number;
  readonly m: Message;
}

/** Per-seed fault mix, drawn from the seed so different seeds stress different things. */
interface Profile {
  loss: number;
  dup: number;
  maxDelay: number;
  crash: number;
  crashLoseUnsynced: number;
  /** Per tick: a node loses its whole storage (and restarts empty under the same id). */
  wipe: number;
  restart: number;
  partition: number;
  heal: number;
  propose: number;
  confChange: number;
  transfer: number;
  read: number;
  snapshot: number;
}

const encoder = new TextEncoder();
const ELECTION = 10;
const HEARTBEAT = 2;

export function runSimulation(opts: SimOptions): SimResult {
  const sim = new Simulator(opts);
  try {
    sim.run();
    return { seed: opts.seed, ok: true, stats: sim.stats };
  } catch (err) {
    const error = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
    return {
      seed: opts.seed,
      ok: false,
      error,
      stats: sim.stats,
      ...(opts.trace ? { trace: sim.trace } : {}),
    };
  }
}

export class Simulator {
  readonly rng: Rng;
  readonly checker = new Checker();
  readonly nodes = new Map<NodeId, SimNode>();
  readonly trace: string[] = [];
  readonly stats: SimStats;
  private readonly profile: Profile;
  private readonly ticks: number;
  private readonly tracing: boolean;
  private readonly coreOpts: Partial<CoreConfig>;
  private net: InFlight[] = [];
  private seq = 0;
  now = 0;
  /** Directed links that drop everything: `${from}>${to}`. */
  private blocked = new Set<string>();
  private proposalCounter = 0;
  /** Proposals in flight: index → term and key, for acknowledgement at the proposer. */
  private readonly proposed = new Map<NodeId, Map<number, { term: number; key: number }>>();
  /** Outstanding reads: context key → the highest committed index when the read started. */
  private readonly reads = new Map<string, number>();
  private nextNodeId: number;
  /** False in the healed liveness phase: no more crashes. */
  private faultsOn = true;

  constructor(opts: SimOptions) {
    this.rng = Rng.seeded(opts.seed);
    this.ticks = opts.ticks ?? 300;
    this.tracing = opts.trace ?? false;
    const r = this.rng;
    const n = r.pick([1, 3, 3, 3, 5, 5]);
    this.profile = {
      loss: r.pick([0, 0.01, 0.05, 0.15]),
      dup: r.pick([0, 0.02, 0.1]),
      maxDelay: r.pick([1, 2, 3, 6, 12]),
      crash: r.pick([0, 0.005, 0.02]),
      crashLoseUnsynced: r.pick([0, 0.5, 1]),
      restart: r.pick([0.05, 0.2]),
      partition: r.pick([0, 0.01, 0.03]),
      heal: r.pick([0.02, 0.1]),
      propose: r.pick([0.1, 0.4, 1]),
      confChange: r.pick([0, 0.005, 0.02]),
      transfer: r.pick([0, 0.005, 0.02]),
      read: r.pick([0, 0.05]),
      snapshot: r.pick([0, 0.01, 0.05]),
      wipe: 0,
    };
    // Drawn last so every other part of a seed's profile is what it was before wipes existed.
    this.profile.wipe = r.pick([0, 0.003, 0.01, 0.03]);
    this.coreOpts = {
      preVote: r.chance(0.9),
      checkQuorum: r.chance(0.9),
      maxSizePerMsg: r.pick([1, 16, 64, 1024]),
      maxInflightMsgs: r.pick([1, 4, 64]),
      maxInflightBytes: r.pick([0, 128]),
    };
    const ids = Array.from({ length: n }, (_, i) => `n${i + 1}`);
    this.nextNodeId = n + 1;
    for (const id of ids) this.createNode(id, ids);
    this.stats = {
      nodes: n,
      ticks: 0,
      committed: 0,
      acked: 0,
      elections: 0,
      crashes: 0,
      wipes: 0,
      snapshotsInstalled: 0,
      confChanges: 0,
      transfers: 0,
      reads: 0,
      refused: 0,
    };
  }

  private log(line: string): void {
    if (this.tracing) this.trace.push(`t=${this.now} ${line}`);
  }

  // ---- nodes ----------------------------------------------------------------------------------

  private createNode(id: NodeId, bootstrap: readonly NodeId[]): SimNode {
    const node: SimNode = {
      id,
      bootstrap: [...bootstrap],
      log: new MemoryLogStore(),
      stable: new MemoryStableStore(),
      snap: undefined,
      raw: undefined,
      fsmIndex: 0,
      fsmHash: 0,
      lostData: false,
    };
    this.nodes.set(id, node);
    this.proposed.set(id, new Map());
    this.start(node);
    return node;
  }

  /** Starts (or restarts) a node from its durable storage and its newest snapshot. */
  private start(node: SimNode): void {
    node.fsmIndex = node.snap?.meta.index ?? 0;
    node.fsmHash = node.snap ? decodeFsm(node.snap.data) : 0;
    node.raw = new RawNode({
      electionTicks: ELECTION,
      heartbeatTicks: HEARTBEAT,
      ...this.coreOpts,
      id: node.id,
      bootstrapVoters: node.bootstrap,
      log: node.log,
      stable: node.stable,
      random: this.rng.next,
      applied: node.fsmIndex,
      snapshotSource: () => node.snap,
    });
    this.proposed.get(node.id)?.clear();
    this.log(`start ${node.id} bootstrap=${node.bootstrap.join(',')}`);
  }

  private crash(node: SimNode): void {
    node.raw = undefined;
    this.stats.crashes++;
    this.log(`crash ${node.id}`);
  }

  /**
   * The node loses everything: log, hard state, snapshot (a disk replaced, a node re-provisioned).
   * It restarts empty under the same id and the current voters as its peers, recovering until
   * admitted. The fault model: one node without its data at a time (no other node may be wiped or
   * recovering, i.e. not admitted yet), and only while the membership is settled with at least 3
   * voters — a 2-voter cluster cannot elect a leader without the wiped one, and losing a majority's
   * disks loses committed data whatever the protocol.
   */
  private wipe(node: SimNode): void {
    const others = [...this.nodes.values()].filter((n) => n !== node);
    if (others.some((n) => this.stillLost(n) || n.stable.hardState().recovering !== undefined)) return;
    const voters = this.settledVoters();
    if (voters === undefined) return;
    node.lostData = true;
    // What an operator gives a re-provisioned node: the cluster's current voters.
    node.bootstrap = voters.includes(node.id) ? [...voters] : [...voters, node.id];
    node.raw = undefined;
    node.log = new MemoryLogStore();
    node.stable = new MemoryStableStore();
    node.snap = undefined;
    this.stats.wipes++;
    this.log(`wipe ${node.id} (all storage lost)`);
  }

  /**
   * The voters, when no membership change is in flight and there are at least 3: every voter of the
   * most up-to-date log's membership holds that same membership. (A change in flight can leave a live voter that neither
   * campaigns nor votes, e.g. a leader that removed itself before the removal committed: together
   * with a wiped voter that is two failures.)
   */
  private settledVoters(): readonly NodeId[] | undefined {
    const nodes = [...this.nodes.values()];
    const key = (n: SimNode) => [n.log.term(n.log.lastIndex()) ?? 0, n.log.lastIndex()] as const;
    const newest = nodes.reduce((a, b) => {
      const [ta, ia] = key(a);
      const [tb, ib] = key(b);
      return tb > ta || (tb === ta && ib > ia) ? b : a;
    });
    const voters = durableVoters(newest);
    if (voters.length < 3) return undefined;
    const same = (v: readonly NodeId[]) => v.length === voters.length && v.every((x) => voters.includes(x));
    const settled = voters.every((id) => {
      const n = this.nodes.get(id);
      return n !== undefined && same(durableVoters(n));
    });
    return settled ? voters : undefined;
  }

  /** Wiped and not durably admitted since (its storage holds no recovering marker, and is not empty). */
  private stillLost(n: SimNode): boolean {
    if (!n.lostData) return false;
    const hs = n.stable.hardState();
    const empty = hs.term === 0 && hs.vote === '' && n.log.lastIndex() === 0;
    if (hs.recovering === undefined && !empty) n.lostData = false;
    return n.lostData;
  }

  /** A node started empty and is not admitted yet, or was wiped and has not restarted. */
  private anyRecovering(): boolean {
    return [...this.nodes.values()].some(
      (n) => n.stable.hardState().recovering !== undefined || this.stillLost(n),
    );
  }

  private live(): SimNode[] {
    return [...this.nodes.values()].filter((n) => n.raw !== undefined);
  }

  private leaders(): SimNode[] {
    return this.live().filter((n) => n.raw!.status().role === 'leader');
  }

  // ---- the Ready contract ---------------------------------------------------------------------

  private processReady(node: SimNode, mayCrash: boolean): void {
    for (let guard = 0; node.raw?.hasReady(); guard++) {
      if (guard > 1000) throw new Error(`${node.id}: hasReady never settles`);
      const raw = node.raw;
      const rd = raw.ready();
      for (const e of rd.events ?? []) if (e.type === 'refusedNonMember') this.stats.refused++;
      if (mayCrash && this.rng.chance(this.profile.crash * this.profile.crashLoseUnsynced * 0.2)) {
        // Crash before the writes of this Ready were synced: a prefix of them survives, nothing was
        // sent or applied.
        this.persistPrefix(node, rd);
        this.log(`crash-unsynced ${node.id} (lost part of a Ready)`);
        this.crash(node);
        return;
      }
      this.persist(node, rd, Number.POSITIVE_INFINITY);
      if (rd.softState?.role === 'leader') this.onLeader(node, raw);
      for (const m of rd.messages) this.send(m);
      this.apply(node, rd);
      raw.advance(rd);
    }
  }

  private persistPrefix(node: SimNode, rd: Ready): void {
    const steps = (rd.snapshot ? 1 : 0) + rd.entries.length + (rd.hardState ? 1 : 0);
    this.persist(node, rd, this.rng.int(0, steps + 1));
  }

  /** Persists the first `limit` writes of a Ready: snapshot, entries, hard state (in that order). */
  private persist(node: SimNode, rd: Ready, limit: number): void {
    let budget = limit;
    if (rd.snapshot) {
      if (budget-- <= 0) return;
      node.snap = rd.snapshot;
      node.log.resetTo(rd.snapshot.meta);
      this.stats.snapshotsInstalled++;
    }
    for (const e of rd.entries) {
      if (budget-- <= 0) return;
      if (e.index <= node.log.compactedMeta().index) continue;
      node.log.append([e]);
      const prevTerm = node.log.term(e.index - 1) ?? -1;
      this.checker.persisted(node.id, e, prevTerm);
    }
    if (rd.hardState) {
      if (budget-- <= 0) return;
      node.stable.setHardState(rd.hardState);
    }
  }

  private onLeader(node: SimNode, raw: RawNode): void {
    const st = raw.status();
    this.stats.elections++;
    this.log(`leader ${node.id} term=${st.term}`);
    this.checker.leaderElected(st.term, node.id);
    this.checker.leaderComplete(node.id, node.log.firstIndex(), (i) => node.log.term(i));
  }

  private apply(node: SimNode, rd: Ready): void {
    if (rd.snapshot) {
      const { index } = rd.snapshot.meta;
      node.fsmIndex = index;
      node.fsmHash = decodeFsm(rd.snapshot.data);
      this.checker.applied(node.id, index, node.fsmHash);
      this.log(`${node.id} installed snapshot @${index}`);
    }
    const proposed = this.proposed.get(node.id)!;
    for (const e of rd.committedEntries) {
      if (e.index !== node.fsmIndex + 1) {
        throw new SafetyViolation(`${node.id} applies ${e.index} after ${node.fsmIndex}: out of order`);
      }
      this.checker.committedEntry(node.id, e);
      const key = entryKey(e);
      node.fsmHash = applyHash(node.fsmHash, e.index, key);
      node.fsmIndex = e.index;
      this.checker.applied(node.id, e.index, node.fsmHash);
      const p = proposed.get(e.index);
      if (p) {
        proposed.delete(e.index);
        if (p.term === e.term && p.key === key) {
          this.checker.ack(e.index, e.term, key);
          this.stats.acked++;
        }
      }
    }
    for (const rs of rd.readStates) {
      const key = contextString(rs.context);
      const floor = this.reads.get(key);
      if (floor === undefined) continue;
      this.reads.delete(key);
      // Linearizable read: it must reflect every entry committed before the read started.
      if (rs.index < floor) {
        throw new SafetyViolation(`${node.id} read ${key} at index ${rs.index} < committed ${floor}`);
      }
    }
  }

  // ---- network --------------------------------------------------------------------------------

  private send(m: Message): void {
    if (this.blocked.has(`${m.from}>${m.to}`) || this.rng.chance(this.profile.loss)) {
      this.dropped(m);
      return;
    }
    const copies = this.rng.chance(this.profile.dup) ? 2 : 1;
    for (let i = 0; i < copies; i++) {
      this.net.push({ at: this.now + this.rng.int(1, this.profile.maxDelay + 1), seq: this.seq++, m });
    }
  }

  private dropped(m: Message): void {
    if (m.type === 'snapshot') this.nodes.get(m.from)?.raw?.reportSnapshot(m.to, false);
  }

  private deliverDue(): void {
    const due: InFlight[] = [];
    const rest: InFlight[] = [];
    for (const f of this.net) (f.at <= this.now ? due : rest).push(f);
    this.net = rest;
    due.sort((a, b) => a.at - b.at || a.seq - b.seq);
    for (const { m } of due) {
      const to = this.nodes.get(m.to);
      if (!to?.raw || this.blocked.has(`${m.from}>${m.to}`)) {
        this.dropped(m);
        continue;
      }
      to.raw.step(m);
      if (m.type === 'snapshot') this.nodes.get(m.from)?.raw?.reportSnapshot(m.to, true);
      this.processReady(to, this.faultsOn);
    }
  }

  // ---- faults and client actions --------------------------------------------------------------

  private randomFaults(): void {
    const p = this.profile;
    const r = this.rng;
    const all = [...this.nodes.values()];
    if (r.chance(p.crash)) {
      const live = this.live();
      if (live.length > 0) this.crash(r.pick(live));
    }
    if (r.chance(p.wipe)) this.wipe(r.pick(all));
    for (const n of all) {
      if (!n.raw && r.chance(p.restart)) this.start(n);
    }
    if (r.chance(p.partition)) this.partition();
    if (this.blocked.size > 0 && r.chance(p.heal)) {
      this.blocked.clear();
      this.log('heal');
    }
  }

  private partition(): void {
    const r = this.rng;
    const ids = [...this.nodes.keys()];
    this.blocked.clear();
    const kind = r.int(0, 3);
    if (kind === 0) {
      // Symmetric split into two random sides.
      const side = new Set(ids.filter(() => r.chance(0.5)));
      for (const a of ids)
        for (const b of ids) if (side.has(a) !== side.has(b)) this.blocked.add(`${a}>${b}`);
      this.log(`partition ${[...side].join(',')} | rest`);
    } else if (kind === 1) {
      // Isolate the leader (or a random node).
      const target = this.leaders()[0]?.id ?? r.pick(ids);
      for (const b of ids) {
        if (b === target) continue;
        this.blocked.add(`${target}>${b}`);
        this.blocked.add(`${b}>${target}`);
      }
      this.log(`isolate ${target}`);
    } else {
      // One-way: a node can send but not receive (or the reverse).
      const target = r.pick(ids);
      const inbound = r.chance(0.5);
      for (const b of ids) if (b !== target) this.blocked.add(inbound ? `${b}>${target}` : `${target}>${b}`);
      this.log(`one-way ${target} ${inbound ? 'deaf' : 'mute'}`);
    }
  }

  private clientActions(): void {
    const p = this.profile;
    const r = this.rng;
    const live = this.live();
    if (live.length === 0) return;
    // Concurrent proposers: several clients each pick a node (often a stale or non-leader one).
    const proposers = r.chance(p.propose) ? r.int(1, 4) : 0;
    for (let i = 0; i < proposers; i++) this.propose(r.pick(live));
    const leader = this.leaders().at(-1);
    if (leader?.raw) {
      if (r.chance(p.confChange)) this.confChange(leader);
      if (r.chance(p.transfer)) {
        const voters = leader.raw.status().voters.filter((v) => v !== leader.id);
        if (voters.length > 0) {
          const to = r.pick(voters);
          this.log(`transfer ${leader.id} -> ${to}`);
          this.stats.transfers++;
          try {
            leader.raw.transferLeadership(to);
          } catch (err) {
            if (!isExpectedRefusal(err)) throw err;
          }
        }
      }
      if (r.chance(p.read)) {
        const key = `r${this.proposalCounter++}`;
        this.reads.set(key, this.checker.maxCommitted);
        this.stats.reads++;
        leader.raw.readIndex(encoder.encode(key));
      }
    }
    if (r.chance(p.snapshot)) this.snapshot(r.pick(live));
  }

  private propose(node: SimNode): void {
    const raw = node.raw!;
    const data = encoder.encode(`p${this.proposalCounter++}`);
    try {
      const pos = raw.propose(data);
      this.proposed.get(node.id)!.set(pos.index, {
        term: pos.term,
        key: entryKey({ index: pos.index, term: pos.term, kind: 'normal', data }),
      });
    } catch (err) {
      if (!isExpectedRefusal(err)) throw err;
    }
  }

  private confChange(leader: SimNode): void {
    const raw = leader.raw!;
    const voters = raw.status().voters;
    const r = this.rng;
    try {
      if ((voters.length < 5 && r.chance(0.5)) || voters.length <= 2) {
        const id = `n${this.nextNodeId++}`;
        raw.proposeConfChange({ type: 'addVoter', node: id });
        this.createNode(id, [...voters, id]);
        this.log(`addVoter ${id} via ${leader.id}`);
      } else {
        // Shrinking the cluster while a node is still recovering could leave it without a majority
        // that can demote that node (the operator's rule: re-provision, then reconfigure).
        if (this.anyRecovering()) return;
        const id = r.pick(voters);
        raw.proposeConfChange({ type: 'removeServer', node: id });
        this.log(`removeServer ${id} via ${leader.id}`);
      }
      this.stats.confChanges++;
    } catch (err) {
      if (!isExpectedRefusal(err)) throw err;
    }
  }

  /** The application snapshots its state at its applied index; the log is compacted behind it. */
  private snapshot(node: SimNode): void {
    const raw = node.raw!;
    const index = node.fsmIndex;
    const term = node.log.term(index);
    if (index === 0 || term === undefined || index <= (node.snap?.meta.index ?? 0)) return;
    const meta = { index, term, conf: raw.confState(index) };
    node.snap = { meta, data: encodeFsm(node.fsmHash) };
    const point = raw.compactionPoint(meta, this.rng.int(0, 4));
    if (point !== undefined) {
      node.log.compact(point);
      raw.compacted(point.index);
    }
    this.log(`${node.id} snapshot @${index}, first index now ${node.log.firstIndex()}`);
  }

  // ---- the run --------------------------------------------------------------------------------

  private step(faults: boolean): void {
    this.now++;
    this.stats.ticks++;
    if (faults) this.randomFaults();
    for (const n of this.live()) {
      n.raw!.tick();
      this.processReady(n, faults);
    }
    if (faults) {
      this.clientActions();
      for (const n of this.live()) this.processReady(n, true);
    }
    this.deliverDue();
  }

  run(): void {
    for (let i = 0; i < this.ticks; i++) this.step(true);
    this.checkLiveness();
    this.stats.committed = this.checker.maxCommitted;
  }

  /** After healing everything, a leader must emerge and a fresh proposal must commit everywhere. */
  private checkLiveness(): void {
    this.faultsOn = false;
    this.blocked.clear();
    this.profile.loss = 0;
    this.profile.dup = 0;
    this.profile.maxDelay = Math.min(this.profile.maxDelay, 2);
    for (const n of this.nodes.values()) if (!n.raw) this.start(n);
    this.log('liveness phase');
    // Catching up a long backlog one small message at a time is slow but must still finish.
    let last = 0;
    let applied = Number.POSITIVE_INFINITY;
    for (const n of this.nodes.values()) {
      last = Math.max(last, n.log.lastIndex());
      applied = Math.min(applied, n.fsmIndex);
    }
    const backlog = last - applied;
    const bound = 50 * ELECTION + 8 * backlog;
    const data = encoder.encode('liveness');
    let proposedAt: { node: SimNode; index: number; term: number } | undefined;
    for (let i = 0; i < bound; i++) {
      this.step(false);
      const leader = this.leaders().find((l) => l.raw!.status().voters.includes(l.id));
      if (!leader) continue;
      if (proposedAt && proposedAt.node.raw?.status().term !== proposedAt.term) proposedAt = undefined;
      if (!proposedAt) {
        try {
          const pos = leader.raw!.propose(data);
          proposedAt = { node: leader, ...pos };
        } catch (err) {
          if (!isExpectedRefusal(err)) throw err;
        }
        continue;
      }
      const voters = leader.raw!.status().voters;
      const done = voters.every((v) => (this.nodes.get(v)?.fsmIndex ?? 0) >= proposedAt!.index);
      if (done) return;
    }
    const desc = [...this.nodes.values()]
      .map((n) => {
        const st = n.raw!.status();
        const learners = st.learners.length > 0 ? `/l[${st.learners.join(',')}]` : '';
        return `${n.id}:${st.role}/t${st.term}/c${st.commit}/a${n.fsmIndex}/v[${st.voters.join(',')}]${learners}${st.recovering ? '/recovering' : ''}`;
      })
      .join(' ');
    throw new Error(`liveness: no leader committed a proposal within ${bound} ticks after healing (${desc})`);
  }
}

/** The voters a node's storage says it has: the newest conf entry, else the snapshot's, else bootstrap. */
function durableVoters(n: SimNode): readonly NodeId[] {
  const meta = n.log.compactedMeta();
  let m = membership(meta.conf.voters.length > 0 ? meta.conf : { voters: n.bootstrap });
  const last = n.log.lastIndex();
  if (last >= n.log.firstIndex()) {
    for (const e of n.log.entries(n.log.firstIndex(), last + 1))
      if (e.kind === 'conf') m = confAfter(e.data, m);
  }
  return m.voters;
}

function isExpectedRefusal(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code === 'NOT_LEADER' || code === 'PROPOSAL_DROPPED' || code === 'CONF_CHANGE_IN_PROGRESS';
}

function encodeFsm(hash: number): Uint8Array {
  return encoder.encode(String(hash));
}

function decodeFsm(data: Uint8Array): number {
  return Number(new TextDecoder().decode(data));
}

function contextString(ctx: Uint8Array): string {
  return new TextDecoder().decode(ctx);
}
