// RaftNode: the driver around the pure core. It owns the tick timer, the storage, the transport and
// the application's state machine, and runs the Ready contract of types.ts:
//   persist (snapshot, entries, hard state: one transaction, one fsync) → send → apply → advance.
// Everything that touches the RawNode is synchronous; applying is an asynchronous queue so a slow
// (async) state machine never blocks elections or replication, yet entries apply strictly in order.
// Proposals arriving in the same event-loop turn share one Ready, hence one fsync (group commit).
import { EventEmitter } from 'node:events';
import { performance } from 'node:perf_hooks';
import type { CoreEvent, ProposalPosition } from '../core/api.js';
import { NotLeaderError } from '../core/errors.js';
import { RawNode } from '../core/rawnode.js';
import type { Transport } from '../transport/transport.js';
import type { Entry, Message, NodeId, Ready, Role, Snapshot } from '../types.js';
import { Applier } from './applier.js';
import {
  assertValidConfig,
  type InjectedStorage,
  type RaftLogFn,
  type RaftNodeConfig,
  type ResolvedTiming,
  resolveTiming,
  type StateMachine,
} from './config.js';
import { RaftStoppedError, RaftStorageError, RaftStorageFaultError, RaftTimeoutError } from './errors.js';
import type { RaftObserver } from './observer.js';
import { SnapshotTaker } from './snapshotter.js';
import { ProposalWaiters, ReadWaiters } from './waiters.js';
import { makeGrpcTransport, openDataDir } from './wiring.js';

export interface RaftNodeStatus {
  readonly id: NodeId;
  readonly state: Role;
  readonly term: number;
  /** The known leader, '' when none. */
  readonly leader: NodeId;
  readonly commit: number;
  /** Index applied to the state machine (not merely handed to it). */
  readonly applied: number;
  readonly lastIndex: number;
  /** The voters. */
  readonly members: readonly NodeId[];
  /** Members that receive the log but do not vote yet (joining, or rejoining after losing their data). */
  readonly learners: readonly NodeId[];
  /** This node started with empty storage and is not admitted yet: it neither votes nor campaigns. */
  readonly recovering: boolean;
  /** Leader: heard from a quorum within an election timeout. Follower: knows a leader heard from recently. */
  readonly isPartOfQuorum: boolean;
  /** Set while a write to the raft storage or the state machine fails: why this node takes no part. */
  readonly storageFault?: string;
}

/** A write to this node's storage failed; it takes no part until a write succeeds (RaftNode.storageFault). */
export interface RaftStorageFault {
  /** `log`: the raft log, hard state or snapshots; `stateMachine`: the application's apply/restore. */
  readonly where: 'log' | 'stateMachine';
  readonly error: string;
  /** Milliseconds since the fault began. */
  readonly forMs: number;
}

/**
 * What a node holds in memory per request or per entry (RaftNode.footprint): each count returns to
 * 0 once the node is idle, however many entries it has committed. For tests and diagnostics.
 */
export interface RaftFootprint {
  /** Proposals waiting for their entry to be applied. */
  readonly pendingProposals: number;
  /** Linearizable reads waiting for their read index. */
  readonly pendingReads: number;
  readonly pendingTransfers: number;
  /** Log entries not yet persisted. */
  readonly unstableEntries: number;
  /** Committed entries and snapshots queued for the state machine. */
  readonly queuedApplies: number;
}

/** One member as its leader sees it (RaftNode.peerProgress). */
export interface RaftPeerProgress {
  readonly id: NodeId;
  /** Highest log index known to be replicated on the member. */
  readonly match: number;
  /** A voter (false: a learner, catching up before the leader promotes it). */
  readonly voter: boolean;
  /** Counts toward quorums: a voter, and not one that reported it lost its data. */
  readonly counted: boolean;
  /** Milliseconds since the leader last received a message from it; null when never. */
  readonly lastContactMs: number | null;
}

export class RaftNode extends EventEmitter {
  readonly id: NodeId;
  private readonly timing: ResolvedTiming;
  private readonly logFn: RaftLogFn;
  private readonly observer: RaftObserver;
  private storage: InjectedStorage | undefined;
  private transport: Transport | undefined;
  private raw: RawNode | undefined;
  private ticker: NodeJS.Timeout | undefined;
  private running = false;
  private scheduled = false;
  private inCycle = false;
  private readonly proposals = new ProposalWaiters();
  private readonly reads = new ReadWaiters();
  private readonly applier: Applier;
  private latestSnapshot: Snapshot | undefined;
  /** A snapshot saved by the snapshotter; the log behind it is compacted at the next cycle. */
  private pendingCompact: Snapshot | undefined;
  /** Ticks left in which a brand-new cluster's lowest-id node re-campaigns (see start()). */
  private bootstrapTicks = 0;
  private leader: NodeId = '';
  private role: Role = 'follower';
  private readonly lastContact = new Map<NodeId, number>();
  /** Set while a write fails: the node neither steps, ticks nor sends; `status` is frozen here. */
  private fault:
    | { where: 'log' | 'stateMachine'; error: string; since: number; status: RaftNodeStatus }
    | undefined;
  private faultTimer: NodeJS.Timeout | undefined;
  private rebuilding = false;
  private probes = 0;
  private readonly transfers: {
    to: NodeId;
    /** Resolve once TimeoutNow is written to `to` rather than once `to` leads (handOffLeadership). */
    handOff: boolean;
    resolve: () => void;
    reject: (e: Error) => void;
    deadline: number;
  }[] = [];

  constructor(
    private readonly config: RaftNodeConfig,
    private readonly sm: StateMachine,
  ) {
    super();
    assertValidConfig(config);
    this.id = config.id;
    this.timing = resolveTiming(config);
    this.logFn = config.log ?? (() => {});
    this.observer = config.observer ?? {};
    this.applier = new Applier({
      sm,
      proposals: this.proposals,
      reads: this.reads,
      log: this.logFn,
      onFatal: (err) => this.fatal(err),
      onUnavailable: (err) => this.enterFault('stateMachine', err),
      onAvailable: () => void this.leaveFault('stateMachine'),
      retryMs: this.timing.tickMs * this.timing.electionTicks,
    });
  }

  /** Opens storage, restores the newest snapshot, starts the transport and the tick timer. */
  async start(): Promise<void> {
    if (this.running) return;
    const storage = this.config.storage ?? openDataDir(this.config, this.logFn);
    this.storage = storage;
    try {
      const latest = await storage.snapshots.latest();
      const compacted = storage.log.compactedMeta();
      // A crash between saving a received snapshot and resetting the log leaves the log behind it.
      if (latest && storage.log.term(latest.meta.index) !== latest.meta.term)
        storage.log.resetTo(latest.meta);
      // What a durable state machine already holds of this very log (same term at that index: by
      // the log matching property, the same entries up to it) is neither restored nor replayed.
      const held = await this.sm.durablePosition?.();
      const heldHere =
        held !== undefined && held.index > 0 && held.term > 0 && storage.log.term(held.index) === held.term
          ? held
          : undefined;
      if (latest) {
        if (heldHere !== undefined && heldHere.index >= latest.meta.index) {
          this.logFn('info', 'raft: the state machine already holds the snapshot; not restored', {
            snapshot: latest.meta.index,
            held: heldHere.index,
          });
        } else await this.sm.restore(latest.data);
        this.applier.reset(latest.meta.index, latest.meta.term);
        this.latestSnapshot = latest;
      }
      if (heldHere !== undefined) {
        // Never past the durable commit index (applied ≤ committed); the few entries between are replayed.
        const upTo = Math.min(heldHere.index, storage.stable.hardState().commit);
        const term = storage.log.term(upTo);
        if (upTo > this.applier.appliedIndex && term !== undefined) {
          this.applier.reset(upTo, term);
          this.logFn('info', 'raft: the state machine holds the log up to here; replay starts after it', {
            index: upTo,
          });
        }
      }
      if (compacted.index > this.applier.appliedIndex) {
        throw new RaftStorageError(
          `the log is compacted to index ${compacted.index} but the newest intact snapshot covers only ${this.applier.appliedIndex}`,
        );
      }
      this.raw = this.makeCore(storage);
      this.applier.snapshotter = new SnapshotTaker({
        threshold: this.timing.snapshotThreshold,
        store: storage.snapshots,
        sm: this.sm,
        confAt: (i) => this.raw?.confState(i) ?? { voters: [] },
        onSaved: (snap) => {
          this.latestSnapshot = snap;
          this.pendingCompact = snap;
          this.schedule();
        },
        log: this.logFn,
        observer: this.observer,
      });
      this.transport = this.config.transport ?? makeGrpcTransport(this.config, this.logFn);
      this.running = true;
      await this.transport.start({
        onMessage: (m) => this.onMessage(m),
        onUnreachable: (p) => this.raw?.reportUnreachable(p),
        onPeerConnected: (p) => {
          this.raw?.reportReconnected(p);
          this.schedule();
        },
        onSnapshotStatus: (p, ok) => {
          this.raw?.reportSnapshot(p, ok);
          this.schedule();
        },
      });
    } catch (err) {
      this.running = false;
      storage.close?.();
      throw err;
    }
    const status = this.raw.status();
    this.transport.connect?.(status.voters);
    if (status.voters.length === 1 && status.voters[0] === this.id) this.raw.campaign();
    else if (status.term === 0 && status.lastIndex === 0 && [...status.voters].sort()[0] === this.id) {
      // A brand-new cluster: rather than every node waiting out a full election timeout, the lowest
      // id pre-campaigns at once and on every tick until a leader exists (for two election timeouts).
      // Pre-votes do not raise the term, so retrying while peers are still starting is harmless;
      // if this node is down the others elect normally.
      this.bootstrapTicks = 2 * this.timing.electionTicks;
      this.raw.campaign();
    }
    this.ticker = setInterval(() => this.onTick(), this.timing.tickMs);
    this.schedule();
    this.logFn('info', 'raft node started', {
      id: this.id,
      applied: this.applier.appliedIndex,
      voters: status.voters,
    });
  }

  /** The core over what `storage` holds (at start, and again after a storage fault). */
  private makeCore(storage: InjectedStorage): RawNode {
    return new RawNode({
      id: this.id,
      bootstrapVoters: bootstrapVoters(storage, this.config.peers, this.id),
      electionTicks: this.timing.electionTicks,
      heartbeatTicks: this.timing.heartbeatTicks,
      preVote: this.config.preVote ?? true,
      checkQuorum: this.config.checkQuorum ?? true,
      maxSizePerMsg: this.config.maxSizePerMsg ?? 1024 * 1024,
      maxInflightMsgs: this.config.maxInflightMsgs ?? 256,
      readOnlyOption: this.config.readOnlyOption ?? 'safe',
      applied: this.applier.appliedIndex,
      random: this.config.random ?? Math.random,
      log: storage.log,
      stable: storage.stable,
      snapshotSource: () => this.latestSnapshot,
      emptyStorage: 'rejoin',
    });
  }

  /** Stops timers and the transport, fails pending requests, waits for the apply queue, closes storage. */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    clearInterval(this.ticker);
    clearInterval(this.faultTimer);
    this.applier.stop();
    await this.transport?.stop();
    const stopped = new RaftStoppedError();
    this.proposals.rejectAll(stopped);
    this.reads.rejectAll(stopped);
    for (const t of this.transfers.splice(0)) t.reject(stopped);
    await this.applier.idle();
    this.storage?.close?.();
  }

  /** Replicates `data`; resolves with the state machine's result once the entry is applied here. */
  propose(data: Uint8Array): Promise<unknown> {
    let pos: ProposalPosition;
    if (this.fault) return Promise.reject(this.faultError());
    try {
      pos = this.requireRunning().propose(data);
    } catch (err) {
      return Promise.reject(err);
    }
    this.schedule();
    const now = performance.now();
    return this.proposals.add(pos.index, pos.term, now + this.timing.requestTimeoutMs, now);
  }

  /** Resolves when a read served from the local state machine would be linearizable (leader only). */
  readIndex(): Promise<void> {
    if (!this.running || this.raw === undefined) return Promise.reject(new RaftStoppedError());
    if (this.fault) return Promise.reject(this.faultError());
    const raw = this.raw;
    const { context, done } = this.reads.add(performance.now() + this.timing.requestTimeoutMs);
    try {
      raw.readIndex(context);
    } catch (err) {
      this.reads.fail(context, err as Error);
      return done;
    }
    this.schedule();
    return done;
  }

  /** Hands leadership to `to` (default: the most caught-up follower); resolves once it leads. */
  transferLeadership(to?: NodeId): Promise<void> {
    return this.startTransfer(to, false);
  }

  /**
   * For a leader about to stop: tells the most caught-up follower to campaign at once (TimeoutNow)
   * and resolves as soon as that message is written, without waiting for the election it starts.
   * The stopping node has no use for the outcome, and the election (a vote fsync on two nodes and a
   * round trip or two) would otherwise add itself to every shutdown. If the message is lost, the
   * followers elect a leader after their election timeout, as after a crash.
   */
  handOffLeadership(): Promise<void> {
    return this.startTransfer(undefined, true);
  }

  private startTransfer(to: NodeId | undefined, handOff: boolean): Promise<void> {
    if (!this.running || this.raw === undefined) return Promise.reject(new RaftStoppedError());
    if (this.fault) return Promise.reject(this.faultError());
    const raw = this.raw;
    const status = raw.status();
    if (status.role !== 'leader') return Promise.reject(new NotLeaderError(status.leader));
    let target = to;
    if (target === undefined) {
      let best = -1;
      for (const [id, pr] of Object.entries(status.progress ?? {})) {
        if (id !== this.id && pr.counted && pr.match > best) {
          best = pr.match;
          target = id;
        }
      }
    }
    if (target === undefined) return Promise.reject(new Error('no other voter to transfer leadership to'));
    const dest = target;
    try {
      raw.transferLeadership(dest);
    } catch (err) {
      return Promise.reject(err);
    }
    this.schedule();
    return new Promise((resolve, reject) => {
      const deadline = performance.now() + this.timing.tickMs * this.timing.electionTicks * 4;
      this.transfers.push({ to: dest, handOff, resolve, reject, deadline });
    });
  }

  /** Hand-offs whose TimeoutNow just went out are done (once the write has left this turn). */
  private noteSent(sent: readonly Message[]): void {
    if (this.transfers.length === 0) return;
    for (const m of sent) {
      if (m.type !== 'timeoutNow') continue;
      for (let i = this.transfers.length - 1; i >= 0; i--) {
        const t = this.transfers[i];
        if (t?.handOff && t.to === m.to) {
          this.transfers.splice(i, 1);
          setImmediate(t.resolve);
        }
      }
    }
  }

  /**
   * Adds a voter: it joins as a learner (single-server change) and the leader promotes it once its
   * log has caught up. Resolves once the promotion is applied here — or, with `waitForPromotion:
   * false`, once the learner is; RaftTimeoutError after requestTimeoutMs (the node stays a learner
   * and is promoted when it catches up).
   */
  async addVoter(id: NodeId, options: { readonly waitForPromotion?: boolean } = {}): Promise<void> {
    const raw = this.requireRunning();
    const deadline = performance.now() + this.timing.requestTimeoutMs;
    const s = raw.status();
    if (s.voters.includes(id)) return;
    if (!s.learners.includes(id)) {
      const pos = raw.proposeConfChange({ type: 'addVoter', node: id });
      this.schedule();
      await this.proposals.add(pos.index, pos.term, deadline);
    }
    if (options.waitForPromotion === false) return;
    for (;;) {
      const r = this.requireRunning();
      if (r.confState(this.applier.appliedIndex).voters.includes(id)) return;
      if (performance.now() >= deadline) {
        throw new RaftTimeoutError(`promotion of ${id} to voter`, this.timing.requestTimeoutMs);
      }
      await new Promise((resolve) => setTimeout(resolve, this.timing.tickMs));
    }
  }

  /** Removes a server (single-server change); resolves once the change is applied here. */
  async removeServer(id: NodeId): Promise<void> {
    const raw = this.requireRunning();
    const pos = raw.proposeConfChange({ type: 'removeServer', node: id });
    this.schedule();
    await this.proposals.add(pos.index, pos.term, performance.now() + this.timing.requestTimeoutMs);
  }

  status(): RaftNodeStatus {
    const raw = this.raw;
    if (this.fault) return { ...this.fault.status, applied: this.applier.appliedIndex };
    if (raw === undefined) {
      return {
        id: this.id,
        state: 'follower',
        term: 0,
        leader: '',
        commit: 0,
        applied: 0,
        lastIndex: 0,
        members: [],
        learners: [],
        recovering: false,
        isPartOfQuorum: false,
      };
    }
    const s = raw.status();
    return {
      id: this.id,
      state: s.role,
      term: s.term,
      leader: s.leader,
      commit: s.commit,
      applied: this.applier.appliedIndex,
      lastIndex: s.lastIndex,
      members: s.voters,
      learners: s.learners,
      recovering: s.recovering,
      isPartOfQuorum: this.running && this.inQuorum(s.role, s.leader, s.voters),
    };
  }

  footprint(): RaftFootprint {
    return {
      pendingProposals: this.proposals.size,
      pendingReads: this.reads.size,
      pendingTransfers: this.transfers.length,
      unstableEntries: this.raw?.unstableEntries() ?? 0,
      queuedApplies: this.applier.queued,
    };
  }

  /** This node's role and the leader it knows ('' for none), without building a full status. */
  brief(): { readonly state: Role; readonly leader: NodeId } {
    const raw = this.raw;
    if (raw === undefined || this.fault) return { state: 'follower', leader: '' };
    const b = raw.brief();
    return { state: b.role, leader: b.leader };
  }

  /** Leader now, and heard from a quorum within an election timeout; cheap enough for every request. */
  isLeaderWithQuorum(): boolean {
    const raw = this.raw;
    if (!this.running || raw === undefined || this.fault) return false;
    const b = raw.brief();
    return b.role === 'leader' && this.inQuorum(b.role, b.leader, b.voters);
  }

  /**
   * On a leader: every member's replication progress (match index) and how long ago this node last
   * heard from it (null: never). Empty on any other node. For operators' views, not for decisions.
   */
  peerProgress(): RaftPeerProgress[] {
    if (this.fault) return [];
    const s = this.raw?.status();
    if (s === undefined || s.role !== 'leader') return [];
    const now = performance.now();
    return [...s.voters, ...s.learners].map((id) => {
      const contact = this.lastContact.get(id);
      return {
        id,
        match: s.progress?.[id]?.match ?? 0,
        voter: s.voters.includes(id),
        counted: s.progress?.[id]?.counted ?? false,
        lastContactMs: id === this.id ? 0 : contact === undefined ? null : Math.round(now - contact),
      };
    });
  }

  private inQuorum(role: Role, leader: NodeId, voters: readonly NodeId[]): boolean {
    const now = performance.now();
    const window = this.timing.tickMs * this.timing.electionTicks;
    const recent = (id: NodeId) => now - (this.lastContact.get(id) ?? Number.NEGATIVE_INFINITY) <= window;
    if (role === 'leader') {
      // A voter that lost its data answers, but does not count until it is promoted again.
      const counted = this.raw?.countedVoters() ?? voters;
      const heard = voters.filter((v) => v === this.id || (recent(v) && counted.includes(v))).length;
      return heard >= Math.floor(voters.length / 2) + 1;
    }
    return leader !== '' && recent(leader);
  }

  private requireRunning(): RawNode {
    if (!this.running || this.raw === undefined) throw new RaftStoppedError();
    if (this.fault) throw this.faultError();
    return this.raw;
  }

  /** Why this node takes no part right now (a write to its storage failed), or undefined. */
  storageFault(): RaftStorageFault | undefined {
    const f = this.fault;
    return f && { where: f.where, error: f.error, forMs: Math.round(performance.now() - f.since) };
  }

  private faultError(): RaftStorageFaultError {
    const f = this.fault;
    return new RaftStorageFaultError(f ? `${faultSubject(f.where)}: ${f.error}` : 'unknown');
  }

  /**
   * A write failed. Nothing of the Ready being persisted was sent or applied, and the core — whose
   * memory is now ahead of its disk — is set aside: the node drops every message and tick, so it
   * neither votes, acknowledges nor leads (followers elect another leader), until a write succeeds
   * and a new core is built from what the disk holds (leaveFault).
   */
  private enterFault(where: 'log' | 'stateMachine', err: Error): void {
    if (!this.running || this.fault) return;
    const before = this.status();
    this.fault = {
      where,
      error: err.message,
      since: performance.now(),
      status: {
        ...before,
        state: 'follower',
        leader: '',
        isPartOfQuorum: false,
        storageFault: `${faultSubject(where)}: ${err.message}`,
      },
    };
    this.logFn(
      'error',
      `raft: ${faultSubject(where)} cannot be written (${err.message}); this node stops voting, acknowledging and leading until a write succeeds`,
      { where, error: err.message },
    );
    const failed = this.faultError();
    this.proposals.rejectAll(failed);
    this.reads.rejectAll(failed);
    for (const t of this.transfers.splice(0)) t.reject(failed);
    this.noteSoftState('', 'follower', before.term);
    this.emit('storageFault', { where, error: err.message });
    // The applier retries a state machine write itself; the raft storage is probed here.
    if (where === 'log') {
      this.faultTimer = setInterval(
        () => this.probeStorage(),
        this.timing.tickMs * this.timing.electionTicks,
      );
    }
  }

  /** One small durable write: the raft storage takes writes again. */
  private probeStorage(): void {
    const storage = this.storage;
    if (!storage || this.rebuilding) return;
    try {
      const write = () => storage.stable.set('storageProbe', String(++this.probes));
      if (storage.transaction) storage.transaction(write);
      else write();
    } catch {
      return;
    }
    void this.leaveFault('log');
  }

  /** Writes work again: a new core from the disk's state (not the abandoned memory), then take part. */
  private async leaveFault(where: 'log' | 'stateMachine'): Promise<void> {
    const storage = this.storage;
    if (!this.running || !storage || this.fault?.where !== where || this.rebuilding) return;
    this.rebuilding = true;
    try {
      const latest = await storage.snapshots.latest();
      if (latest && storage.log.term(latest.meta.index) !== latest.meta.term) {
        // Saved before the failed write that was to reset the log behind it.
        storage.log.resetTo(latest.meta);
      }
      if (latest && latest.meta.index > (this.latestSnapshot?.meta.index ?? 0)) this.latestSnapshot = latest;
      if (latest && latest.meta.index > this.applier.appliedIndex) this.applier.push({ snapshot: latest });
      if (!this.running) return;
      const faultFor = Math.round(performance.now() - (this.fault?.since ?? 0));
      this.raw = this.makeCore(storage);
      clearInterval(this.faultTimer);
      this.fault = undefined;
      this.logFn('info', 'raft: storage writable again; this node takes part again', { where, faultFor });
      this.emit('storageRecovered', { where });
      this.schedule();
    } catch (err) {
      if (isStorageFault(err)) this.fatal(err as Error);
      // Otherwise still failing: the next probe (or apply retry) tries again.
    } finally {
      this.rebuilding = false;
    }
  }

  private onMessage(m: Message): void {
    if (!this.running || this.raw === undefined || this.fault) {
      this.observer.messageDropped?.(m.type, 'notRunning');
      return;
    }
    this.observer.messageReceived?.(m.type);
    this.lastContact.set(m.from, performance.now());
    try {
      this.raw.step(m);
    } catch (err) {
      // Damaged storage must stop the node; anything else is one bad message.
      if (isStorageFault(err)) {
        this.fatal(err as Error);
        return;
      }
      this.observer.messageDropped?.(m.type, 'refused');
      this.logFn('warn', 'raft: message refused', {
        from: m.from,
        type: m.type,
        error: (err as Error).message,
      });
    }
    this.schedule();
  }

  private onTick(): void {
    try {
      this.tickOnce();
    } catch (err) {
      this.fatal(err as Error);
    }
  }

  private tickOnce(): void {
    if (!this.running || this.raw === undefined || this.fault) return;
    this.raw.tick();
    if (this.bootstrapTicks > 0) {
      this.bootstrapTicks--;
      const s = this.raw.status();
      if (s.leader !== '' || s.term > 1) this.bootstrapTicks = 0;
      else if (s.role === 'follower' || s.role === 'preCandidate') this.raw.campaign();
    }
    const now = performance.now();
    this.proposals.sweep(now, this.timing.requestTimeoutMs);
    this.reads.sweep(now, this.timing.requestTimeoutMs);
    for (let i = this.transfers.length - 1; i >= 0; i--) {
      const t = this.transfers[i];
      if (t && t.deadline <= now) {
        this.transfers.splice(i, 1);
        t.reject(
          new RaftTimeoutError(
            `leadership transfer to ${t.to}`,
            this.timing.tickMs * this.timing.electionTicks * 4,
          ),
        );
      }
    }
    this.schedule();
  }

  private schedule(): void {
    if (this.scheduled || !this.running || this.fault) return;
    this.scheduled = true;
    // setImmediate, not a microtask: every proposal and message of this event-loop turn joins the cycle.
    setImmediate(() => {
      this.scheduled = false;
      void this.cycle();
    });
  }

  private async cycle(): Promise<void> {
    if (this.inCycle || !this.running || this.fault) return;
    const raw = this.raw;
    const storage = this.storage;
    if (raw === undefined || storage === undefined) return;
    this.inCycle = true;
    try {
      if (this.pendingCompact) {
        const point = raw.compactionPoint(this.pendingCompact.meta, this.timing.trailingEntries);
        this.pendingCompact = undefined;
        if (point !== undefined) {
          storage.log.compact(point);
          raw.compacted(point.index);
        }
      }
      while (this.running && !this.fault && raw.hasReady()) {
        const rd = raw.ready();
        const early = this.sendableBeforePersist(rd, raw, storage);
        if (early.length > 0) {
          // The leader's appends go out first and its own fsync runs while followers write theirs
          // (raft thesis §10.2.1). Safe: the leader's acks can only raise the commit index in
          // memory; commits reach followers and the state machine through a later Ready, which this
          // cycle only takes after the persist below.
          for (const m of early) this.send(m);
          this.transport?.flush?.();
          await new Promise<void>((resolve) => setImmediate(resolve));
          if (!this.running) return;
        }
        await this.persist(rd, storage);
        if (!this.running) return;
        const rest = early.length > 0 ? rd.messages.filter((m) => !early.includes(m)) : rd.messages;
        for (const m of rest) this.send(m);
        // Write now: waiting for the end of this event-loop turn would add a turn to every hop.
        if (rest.length > 0) this.transport?.flush?.();
        this.noteSent(rest);
        for (const e of rd.events ?? []) {
          this.logFn(eventLevel(e), `raft: ${e.type}`, { ...e });
          this.observer.event?.(e);
        }
        if (rd.softState) this.noteSoftState(rd.softState.leader, rd.softState.role, raw.status().term);
        if (rd.snapshot) this.applier.push({ snapshot: rd.snapshot });
        if (this.observer.proposalCommitted && this.proposals.size > 0)
          this.noteCommitted(rd.committedEntries);
        for (const entry of rd.committedEntries) this.applier.push({ entry });
        for (const rs of rd.readStates) this.reads.confirmed(rs.context, rs.index, this.applier.appliedIndex);
        raw.advance(rd);
      }
    } catch (err) {
      // A damaged log stops the node; a write that failed (full or read-only disk, I/O error) only
      // takes it out until a write succeeds. Nothing of this Ready was sent or applied.
      if (isStorageFault(err)) this.fatal(err as Error);
      else this.enterFault('log', err as Error);
    } finally {
      this.inCycle = false;
    }
  }

  private send(m: Message): void {
    this.transport?.send(m);
    this.observer.messageSent?.(m.type);
  }

  /** Proposal-to-commit latency of the proposals made here among `committed`. */
  private noteCommitted(committed: readonly Entry[]): void {
    if (committed.length === 0) return;
    const now = performance.now();
    for (const entry of committed) {
      const at = this.proposals.proposedAt(entry.index, entry.term);
      if (at !== undefined) this.observer.proposalCommitted?.((now - at) / 1000);
    }
  }

  /**
   * A leader's appends and heartbeats that may leave before its own entries are durable: only in a
   * Ready that writes entries, carries no snapshot and changes neither term nor vote (a vote must
   * be durable before any message of its term goes out).
   */
  private sendableBeforePersist(rd: Ready, raw: RawNode, storage: InjectedStorage): Message[] {
    if (rd.entries.length === 0 || rd.snapshot || raw.brief().role !== 'leader') return [];
    if (rd.hardState) {
      const prev = storage.stable.hardState();
      if (rd.hardState.term !== prev.term || rd.hardState.vote !== prev.vote) return [];
    }
    return rd.messages.filter((m) => m.type === 'append' || m.type === 'heartbeat');
  }

  /** Step 1 of the Ready contract: snapshot, entries, hard state durable before anything is sent. */
  private async persist(rd: Ready, storage: InjectedStorage): Promise<void> {
    if (rd.snapshot) {
      const started = performance.now();
      await storage.snapshots.save(rd.snapshot);
      this.observer.snapshotSaved?.(
        'received',
        rd.snapshot.data.byteLength,
        (performance.now() - started) / 1000,
      );
      this.latestSnapshot = rd.snapshot;
      if (!this.running) return; // stopped meanwhile: storage may be closed
    }
    if (!rd.snapshot && rd.entries.length === 0 && !rd.hardState) return;
    const write = () => {
      if (rd.snapshot) storage.log.resetTo(rd.snapshot.meta);
      if (rd.entries.length > 0) storage.log.append(rd.entries);
      if (rd.hardState) storage.stable.setHardState(rd.hardState);
    };
    // Term and vote must be durable before anything is sent; a commit index that advanced alone need
    // not be (a restarted node re-learns it from the leader), so it skips its own fsync. Under a
    // closed loop of proposers this halves the leader's fsyncs per round.
    const prev = storage.stable.hardState();
    const commitOnly =
      !rd.snapshot &&
      rd.entries.length === 0 &&
      rd.hardState !== undefined &&
      rd.hardState.term === prev.term &&
      rd.hardState.vote === prev.vote;
    const run = commitOnly ? (storage.unsyncedTransaction ?? storage.transaction) : storage.transaction;
    const started = this.observer.persisted ? performance.now() : 0;
    if (run) run(write);
    else write();
    this.observer.persisted?.((performance.now() - started) / 1000, !commitOnly);
  }

  private noteSoftState(leader: NodeId, role: Role, term: number): void {
    if (leader !== this.leader) {
      this.leader = leader;
      if (leader !== '') this.lastContact.set(leader, performance.now());
      this.emit('leaderChanged', { leader, term });
      for (let i = this.transfers.length - 1; i >= 0; i--) {
        const t = this.transfers[i];
        if (t && t.to === leader) {
          this.transfers.splice(i, 1);
          t.resolve();
        }
      }
    }
    if (role !== this.role) {
      this.role = role;
      this.emit('stateChanged', { state: role, term });
    }
  }

  /**
   * Takes a snapshot of the state machine now (between two applies) and compacts the log behind it
   * once it is durable — orchestrator's `raft-snapshot` route and `async-snapshot` command.
   */
  snapshotNow(): Promise<void> {
    if (!this.running || this.applier.snapshotter === undefined)
      return Promise.reject(new RaftStoppedError());
    if (this.fault) return Promise.reject(this.faultError());
    return new Promise((resolve, reject) => this.applier.push({ snapshotRequest: { resolve, reject } }));
  }

  private fatal(err: Error): void {
    this.logFn('error', `raft node ${this.id} stopping: ${err.message}`, { error: err.message });
    if (this.listenerCount('error') > 0) this.emit('error', err);
    void this.stop();
  }
}

function faultSubject(where: 'log' | 'stateMachine'): string {
  return where === 'log' ? 'the raft log or hard state' : 'the state machine';
}

function eventLevel(e: CoreEvent): 'debug' | 'info' | 'warn' {
  if (e.type === 'refusedNonMember') return 'warn';
  // A node cut off from its leader pre-campaigns every election timeout; a real election is info.
  if (e.type === 'campaign' && e.kind === 'preVote') return 'debug';
  if (e.type === 'roleChangeProposed' && e.reason === 'lostState') return 'warn';
  return 'info';
}

/** Errors that mean the data dir cannot be trusted (corruption, a broken log), as opposed to a bad input. */
function isStorageFault(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && (code.startsWith('CORRUPT_') || code === 'LOG_CONTIGUITY');
}

const BOOTSTRAP_KEY = 'bootstrapVoters';

/**
 * The voters a node bootstraps with: the configured peers on its very first start, remembered in
 * the stable store, and that same list on every later start. Until the log or a snapshot carries
 * membership, the bootstrap list *is* the membership, so it must not follow later config edits:
 * two nodes restarted with different lists could otherwise form disjoint majorities. Config edits
 * are applied as membership changes through the log instead.
 */
function bootstrapVoters(storage: InjectedStorage, peers: readonly NodeId[], id: NodeId): NodeId[] {
  const saved = storage.stable.get(BOOTSTRAP_KEY);
  if (saved !== undefined) {
    const parsed = JSON.parse(saved) as unknown;
    if (Array.isArray(parsed) && parsed.every((v) => typeof v === 'string')) return parsed;
  }
  const voters = peers.includes(id) ? [...peers] : [...peers, id];
  storage.stable.set(BOOTSTRAP_KEY, JSON.stringify(voters));
  return voters;
}
