// The discovery loop (reference §3.1) plus fast failure detection. Every known instance is probed
// every InstancePollSeconds by a bounded worker pool; failing instances go to a slow lane with
// capped exponential backoff so they cannot starve healthy probes. Results reach the repository in
// batches. A lost connection or a failed probe of an instance with replicas starts a "burst": the
// instance and its replicas are re-probed every burstIntervalMs for a few seconds, and
// onTopologyChange fires after each flushed round so the daemon can analyse immediately.
import type { Instance, InstanceKey } from '@orchestrator/model';
import { matchesAny, type ProberConfig } from '../config.js';
import { ProberError } from '../errors.js';
import { mariadbErrantGtid, oracleErrantGtid } from '../gtid.js';
import { isValidKey, keyString, parseKey } from '../keys.js';
import type { InstanceProber, ProbeResult } from '../probe/probe.js';
import { type ProbeErrorKind, probeErrorKind } from './error-kind.js';
import { type LinkObservation, observeLink, replicationChanged } from './replica-link.js';
import type { InstanceRepository } from './repository.js';
import { backoffMs, burstDelayMs, nextBurstRoundMs } from './schedule.js';
import { WorkQueues } from './work-queues.js';
import { WriteBatch } from './write-batch.js';

export interface Timers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export interface DiscoveryOptions {
  config: ProberConfig;
  prober: InstanceProber;
  repository: InstanceRepository;
  /** Epoch ms; Date.now by default. */
  now?: () => number;
  timers?: Timers;
  /** Scheduler tick (default 100 ms). */
  tickMs?: number;
  /** Longest a result waits before it is written (default 100 ms) and largest batch (default 100). */
  flushMs?: number;
  batchSize?: number;
  /** Backoff cap for failing instances (default 30 s). */
  maxBackoffMs?: number;
  /** Re-probe period and duration after a master/intermediate connection loss or suspicion (default 100 ms, 8 s; then once a second while it stays suspect). */
  burstIntervalMs?: number;
  burstDurationMs?: number;
  /**
   * Ping period for masters with replicas (default 100 ms, every tick; 0 disables). With many masters the
   * period stretches so that at most about 1,000 pings a second go out.
   */
  masterPingMs?: number;
  /**
   * A master whose ping is still unanswered after this long is suspected (default 100 ms): its
   * replicas are re-probed in bursts and onSuspicion fires, long before the ping's own deadline.
   */
  suspectAfterMs?: number;
  /**
   * Fired when an instance with replicas becomes suspect (a slow or failed ping, a failed probe, a
   * lost connection), once per episode; `since` is when the episode began (epoch ms).
   */
  onSuspicion?: (key: InstanceKey, since: number) => void;
  /**
   * Longest a probe may stay in flight before the loop counts it as failed, closes its connection
   * and moves on (default: connect timeout + 2 read timeouts + 1 s). The prober bounds each step
   * itself; this is the loop's own guarantee that no instance stops being checked.
   */
  probeDeadlineMs?: number;
  /** Fired after a flush that carried a state change or a burst round of this cluster. */
  onTopologyChange?: (clusterName: string) => void;
  /** Fired after every probe (success or failure), for discovery metrics. */
  onProbe?: (probe: ProbeTiming) => void;
}

/** One completed probe, as discovery-metrics-raw reports it. */
export interface ProbeTiming {
  key: InstanceKey;
  /** When the probe began (epoch ms, the loop's clock). */
  startedAt: number;
  /** How long the probe of the server took, in ms. */
  durationMs: number;
  /** Why it failed; undefined for a successful probe. */
  error?: string;
  /** The failure's kind (error-kind.ts); undefined for a successful probe. */
  errorKind?: ProbeErrorKind;
}

interface Entry {
  id: string;
  key: InstanceKey;
  /** Where to connect: the name it was discovered under. */
  address: { host: string; port: number };
  nextDue: number;
  failures: number;
  inFlight: boolean;
  queued: boolean;
  urgent: boolean;
  addedAt: number;
  lastSeen: number;
  /** When the last successful probe began: it proves the instance answered after this moment. */
  lastSeenProbeStart: number;
  /** Epoch ms since which this instance is suspected (slow ping, failure); undefined when not. */
  suspectSince?: number;
  /** A ping is in flight (one at a time per instance). */
  pinging: boolean;
  /** A probe of it has completed in this loop (successfully or not). */
  probed: boolean;
  /** The latest failed check was a refused connection: nothing listens on the instance's port. */
  refused: boolean;
  instance?: Instance;
  waiters: ((r: ProbeResult) => void)[];
}

const iso = (ms: number): string => new Date(ms).toISOString();
/** The first rounds of a burst, this far apart. */

export class DiscoveryLoop {
  private readonly entries = new Map<string, Entry>();
  /** Unresolved hostname → canonical hostname (MySQLHostnameResolveMethod). */
  private readonly resolved = new Map<string, string>();
  private readonly queues = new WorkQueues<Entry>();
  private readonly batch = new WriteBatch();
  private readonly bursts = new Map<string, number>();
  /** Pending burst-round timers, cleared by stop(). */
  private readonly burstTimers = new Set<unknown>();
  private tickHandle: unknown;
  private flushHandle: unknown;
  private flushing: Promise<void> = Promise.resolve();
  private running = false;
  private lastForgetSweep = 0;
  private lastPing = 0;
  /** masterPingMs, stretched to one ms per master pinged (a budget of ~1,000 pings a second). */
  private pingPeriodMs = 0;
  private readonly now: () => number;
  private readonly timers: Timers;
  private readonly pollMs: number;
  private readonly o: Required<
    Omit<DiscoveryOptions, 'onTopologyChange' | 'onSuspicion' | 'onProbe' | 'now' | 'timers'>
  >;
  /** Per replica: its link signature (read position, GTID IO position, heartbeats) and when it was first and last seen. */
  private readonly links = new Map<string, LinkObservation>();
  /** keyString → epoch ms since which SelfBinlogCoordinates have not moved (LockedSemiSyncMaster). */
  private readonly coordinatesSince = new Map<string, number>();
  /** Probes completed since start (successes and failures). */
  probesDone = 0;

  constructor(private readonly options: DiscoveryOptions) {
    this.now = options.now ?? Date.now;
    this.timers = options.timers ?? {
      setTimeout: (fn, ms) => setTimeout(fn, ms),
      clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
    };
    this.pollMs = options.config.InstancePollSeconds * 1000;
    this.o = {
      config: options.config,
      prober: options.prober,
      repository: options.repository,
      tickMs: options.tickMs ?? 100,
      flushMs: options.flushMs ?? 100,
      batchSize: options.batchSize ?? 100,
      maxBackoffMs: options.maxBackoffMs ?? 30_000,
      burstIntervalMs: options.burstIntervalMs ?? 100,
      burstDurationMs: options.burstDurationMs ?? 8000,
      masterPingMs: options.masterPingMs ?? 100,
      suspectAfterMs: options.suspectAfterMs ?? 100,
      probeDeadlineMs:
        options.probeDeadlineMs ??
        (options.config.MySQLConnectTimeoutSeconds + 2 * options.config.MySQLDiscoveryReadTimeoutSeconds) *
          1000 +
          1000,
    };
    options.prober.onConnectionLost((key) => this.connectionLost(key));
  }

  /** Loads known instances and seeds, then starts polling. */
  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    for (const inst of await this.o.repository.readAll()) {
      const e = this.add(inst.Key);
      if (e) {
        e.instance = inst;
        const seen = Date.parse(inst.LastSeenTimestamp);
        if (!Number.isNaN(seen)) e.lastSeen = seen;
      }
    }
    for (const seed of this.o.config.DiscoverySeeds) {
      const key = parseKey(seed);
      if (key) this.add(key);
    }
    this.lastForgetSweep = this.now();
    this.scheduleTick();
  }

  /**
   * Stops timers, writes what is pending and closes every connection. Probes still in flight are
   * not waited for: closing their connections ends them, and their late results are dropped.
   */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.timers.clearTimeout(this.tickHandle);
    this.timers.clearTimeout(this.flushHandle);
    this.flushHandle = undefined;
    this.bursts.clear();
    for (const h of this.burstTimers) this.timers.clearTimeout(h);
    this.burstTimers.clear();
    this.queues.clear();
    await this.flush();
    await this.o.prober.closeAll();
  }

  /** API-requested discovery: probes now (even if known) and resolves with the result. */
  discover(key: InstanceKey): Promise<ProbeResult> {
    const e = this.add(key);
    if (!e)
      return Promise.resolve({
        ok: false,
        key,
        error: new Error(`${keyString(key)} matches DiscoveryIgnoreHostnameFilters`),
      });
    return new Promise((resolve) => {
      e.waiters.push(resolve);
      this.enqueueUrgent(e);
    });
  }

  /** Re-probes these instances at once (emergent operations, bursts). */
  refresh(keys: readonly InstanceKey[]): void {
    for (const k of keys) {
      const e = this.entries.get(keyString(this.canonical(k)));
      if (e) this.enqueueUrgent(e);
    }
  }

  /**
   * Drops instances (the `forget` command): no more probes, their connections closed, and a probe
   * already running for one of them is not written back.
   */
  forget(keys: readonly InstanceKey[]): void {
    for (const k of keys) {
      const id = keyString(this.canonical(k));
      const e = this.entries.get(id);
      if (!e) continue;
      this.entries.delete(id);
      this.links.delete(id);
      this.o.prober.close(e.key);
    }
  }

  /** The latest probed view of every known instance. */
  instances(): Instance[] {
    const out: Instance[] = [];
    for (const e of this.entries.values()) if (e.instance) out.push(e.instance);
    return out;
  }

  /** For analysis: since when each instance's own binlog coordinates have been unchanged (epoch ms). */
  binlogUnchangedSince(): ReadonlyMap<string, number> {
    return this.coordinatesSince;
  }

  knownKeys(): InstanceKey[] {
    return [...this.entries.values()].map((e) => e.key);
  }

  /** Where to connect to an instance (for emergent operations). */
  addressOf(key: InstanceKey): { host: string; port: number } | undefined {
    return this.entries.get(keyString(this.canonical(key)))?.address;
  }

  /** Instances due for a probe but not yet started: > 0 for long means the loop falls behind. */
  backlog(): number {
    return this.queues.backlog();
  }

  /** Probes running right now. */
  active(): number {
    return this.queues.active();
  }

  /** Instances in the slow lane: their latest check failed, so they are probed with a back-off. */
  slowLane(): number {
    let n = 0;
    for (const e of this.entries.values()) if (e.failures > 0) n++;
    return n;
  }

  /**
   * True once every known instance has been probed at least once (successfully or not) and nothing
   * is queued or running: a walk of the topologies it was given is complete.
   */
  settled(): boolean {
    if (this.queues.active() > 0 || this.backlog() > 0) return false;
    for (const e of this.entries.values()) if (!e.probed) return false;
    return true;
  }

  /** Names servers reported for themselves (MySQLHostnameResolveMethod): probed name → canonical name. */
  hostnameCache(): ReadonlyMap<string, string> {
    return this.resolved;
  }

  /** Forgets the learned names; the next probes learn them again. Returns how many were forgotten. */
  resetHostnameCache(): number {
    const n = this.resolved.size;
    this.resolved.clear();
    return n;
  }

  private canonical(key: InstanceKey): InstanceKey {
    const h = this.resolved.get(key.Hostname);
    return h ? { Hostname: h, Port: key.Port } : key;
  }

  private add(rawKey: InstanceKey): Entry | undefined {
    const key = this.canonical(rawKey);
    if (!isValidKey(key) || matchesAny(key.Hostname, this.o.config.DiscoveryIgnoreHostnameFilters))
      return undefined;
    const id = keyString(key);
    let e = this.entries.get(id);
    if (!e) {
      const now = this.now();
      e = {
        id,
        key,
        address: { host: rawKey.Hostname, port: rawKey.Port },
        nextDue: now,
        failures: 0,
        inFlight: false,
        queued: false,
        urgent: false,
        addedAt: now,
        lastSeen: 0,
        lastSeenProbeStart: 0,
        pinging: false,
        probed: false,
        refused: false,
        waiters: [],
      };
      this.entries.set(id, e);
      // A newly found instance is probed now, not at the next tick: discovery of a whole topology
      // then takes one probe round trip per level.
      if (this.running) {
        this.queues.enqueueDue(e, false);
        this.pump();
      }
    }
    return e;
  }

  private scheduleTick(): void {
    if (!this.running) return;
    this.tickHandle = this.timers.setTimeout(() => {
      this.tick();
      this.scheduleTick();
    }, this.o.tickMs);
  }

  private tick(): void {
    const now = this.now();
    for (const e of this.entries.values()) {
      if (e.inFlight || e.queued || e.nextDue > now) continue;
      this.queues.enqueueDue(e, e.failures > 0);
    }
    const cfg = this.o.config;
    if (this.o.masterPingMs > 0 && now - this.lastPing >= this.pingPeriodMs) {
      this.lastPing = now;
      let pinged = 0;
      for (const e of this.entries.values()) {
        const i = e.instance;
        // Also while a probe is in flight: against a hung server the probe waits for its read
        // timeout, the ping only for the connect timeout.
        if (!i || e.pinging || e.failures > 0 || isValidKey(i.MasterKey) || i.Replicas.length === 0) continue;
        this.ping(e);
        pinged++;
      }
      this.pingPeriodMs = Math.max(this.o.masterPingMs, pinged);
    }
    if (now - this.lastForgetSweep >= 60_000) {
      this.lastForgetSweep = now;
      const horizon = now - cfg.UnseenInstanceForgetHours * 3_600_000;
      const forget: InstanceKey[] = [];
      for (const e of this.entries.values()) {
        if (!e.inFlight && Math.max(e.lastSeen, e.addedAt) < horizon) forget.push(e.key);
      }
      for (const k of forget) {
        this.entries.delete(keyString(k));
        this.coordinatesSince.delete(keyString(k));
        this.links.delete(keyString(k));
        this.o.prober.close(k);
      }
      if (forget.length > 0) void this.o.repository.forgetInstances(forget).catch(() => undefined);
    }
    this.pump();
  }

  private enqueueUrgent(e: Entry): void {
    if (this.queues.enqueueUrgent(e)) this.pump();
  }

  private pump(): void {
    const max = this.o.config.DiscoveryMaxConcurrency;
    const live = (e: Entry) => this.entries.has(e.id);
    while (this.running) {
      const next = this.queues.next(max, live);
      if (next === undefined) break;
      void this.run(next.entry, next.slow);
    }
  }

  private async run(e: Entry, slow: boolean): Promise<void> {
    this.queues.started(e, slow);
    const started = this.now();
    const attemptTimer = this.timers.setTimeout(() => {
      // orchestrator's last_attempted_check: a check hanging this long is news to analysis, which
      // reads the in-memory view as well as the backend.
      if (e.instance) e.instance.LastAttemptedCheckTimestamp = iso(this.now());
      this.batch.attempt(e.key);
      this.scheduleFlush();
    }, this.o.config.ReasonableInstanceCheckSeconds * 1000);
    const result = await this.probeWithDeadline(e);
    this.timers.clearTimeout(attemptTimer);
    this.options.onProbe?.({
      key: e.key,
      startedAt: started,
      durationMs: this.now() - started,
      ...(result.ok ? {} : { error: errorText(result.error), errorKind: probeErrorKind(result.error) }),
    });
    this.queues.finished(e, slow);
    e.probed = true;
    this.probesDone++;
    if (this.running && this.entries.get(e.id) === e) this.handle(e, result, started);
    for (const w of e.waiters.splice(0)) w(result);
    if (e.urgent && this.running) {
      e.urgent = false;
      this.enqueueUrgent(e);
    }
    this.pump();
  }

  /** The prober's answer, or a failure once probeDeadlineMs has passed (the connection is closed). */
  private probeWithDeadline(e: Entry): Promise<ProbeResult> {
    return new Promise<ProbeResult>((resolve) => {
      let done = false;
      const finish = (r: ProbeResult): void => {
        if (done) return;
        done = true;
        this.timers.clearTimeout(timer);
        resolve(r);
      };
      const timer = this.timers.setTimeout(() => {
        this.o.prober.close(e.key);
        finish({
          ok: false,
          key: e.key,
          error: new ProberError(
            'PROBE_TIMEOUT',
            `probe of ${e.id} still unanswered after ${this.o.probeDeadlineMs} ms: abandoned`,
          ),
        });
      }, this.o.probeDeadlineMs);
      this.o.prober
        .probe({ key: e.key, address: e.address, resolveMaster: (h) => this.resolved.get(h) ?? h })
        .then(finish, (error: unknown) => finish({ ok: false, key: e.key, error: error as Error }));
    });
  }

  /**
   * Pings a master. Unanswered after suspectAfterMs, it is suspected (its replicas are watched
   * closely from then on); unanswered by the prober's deadline, it is a failed check.
   */
  private ping(e: Entry): void {
    e.pinging = true;
    let settled = false;
    const slow = this.timers.setTimeout(() => {
      if (this.running && !settled) this.suspect(e, this.now());
    }, this.o.suspectAfterMs);
    const finish = (ok: boolean): void => {
      if (settled) return;
      settled = true;
      e.pinging = false;
      this.timers.clearTimeout(slow);
      this.timers.clearTimeout(deadline);
      if (!this.running) return;
      if (!ok) this.pingFailed(e);
      else if (e.failures === 0) e.suspectSince = undefined;
    };
    // The prober bounds its pings; this is the loop's own guarantee that one never hangs forever.
    const deadline = this.timers.setTimeout(
      () => finish(false),
      this.o.config.MySQLConnectTimeoutSeconds * 1000 + 1000,
    );
    void this.o.prober.ping({ key: e.key, address: e.address }).then(finish, () => finish(false));
  }

  /** Starts a suspicion episode: bursts on the replicas, and onSuspicion once. */
  private suspect(e: Entry, since: number): void {
    if (e.suspectSince !== undefined || this.entries.get(e.id) !== e) return;
    e.suspectSince = since;
    if (!this.hasReplicas(e)) return;
    this.startBurst(e);
    this.options.onSuspicion?.(e.key, since);
  }

  /**
   * Milliseconds since the last successful probe of `key` began (undefined: never, or unknown).
   * Counted from its start, not its end: a probe that ended after a failure may have read its
   * answer before it.
   */
  lastSeenAgo(key: InstanceKey): number | undefined {
    const e = this.entries.get(keyString(this.canonical(key)));
    return e === undefined || e.lastSeenProbeStart === 0
      ? undefined
      : Math.max(0, this.now() - e.lastSeenProbeStart);
  }

  /**
   * Pings `key` now (another orchestrator node asks whether we reach it). A known instance that
   * does not answer gets a failed check, as from the loop's own pings.
   */
  async checkNow(key: InstanceKey): Promise<boolean> {
    const e = this.entries.get(keyString(this.canonical(key)));
    const ok = await this.o.prober.ping({
      key: e?.key ?? key,
      address: e?.address ?? { host: key.Hostname, port: key.Port },
    });
    if (!ok && e !== undefined && this.running) this.pingFailed(e);
    return ok;
  }

  /** Instances whose latest failed check was a refused connection (the port is closed: the server is down). */
  refusedInstances(): ReadonlySet<string> {
    const out = new Set<string>();
    for (const e of this.entries.values()) if (e.failures > 0 && e.refused) out.add(e.id);
    return out;
  }

  /** When this instance's current suspicion began (epoch ms), if it is suspected. */
  suspectedSince(key: InstanceKey): number | undefined {
    return this.entries.get(keyString(this.canonical(key)))?.suspectSince;
  }

  /**
   * For each replica: how long it has provably received nothing from its master (no event, no
   * heartbeat), as of its latest probe, in ms. Analysis compares it with the heartbeat period.
   */
  replicaSilence(): ReadonlyMap<string, number> {
    const out = new Map<string, number>();
    for (const [id, link] of this.links) out.set(id, link.silentMs);
    return out;
  }

  /**
   * A master that does not answer a ping is a failed check in itself, not only a hint: a hung or
   * cut-off server keeps its sockets open, so no connection loss would ever report it.
   */
  private pingFailed(e: Entry): void {
    // Even with a probe in flight: against a hung server that probe waits for its read timeout.
    if (this.entries.get(e.id) !== e || e.failures > 0) return;
    this.handle(
      e,
      { ok: false, key: e.key, error: new ProberError('PROBE_TIMEOUT', `${e.id} did not answer a ping`) },
      this.now(),
    );
    this.enqueueUrgent(e);
  }

  private handle(e: Entry, result: ProbeResult, started: number): void {
    const now = this.now();
    const previous = e.instance;
    const wasFailing = e.failures > 0;
    if (!result.ok) {
      e.failures++;
      e.refused = isRefused(result.error);
      e.nextDue = now + backoffMs(e.failures, this.pollMs, this.o.maxBackoffMs);
      this.batch.failure({ key: e.key, at: iso(now) });
      if (e.instance) {
        // The in-memory view must show the failed check too: analysis reads it (orchestrator moves
        // last_checked, not last_seen, so the last check stops being valid).
        e.instance.LastCheckedTimestamp = iso(now);
        e.instance.LastAttemptedCheckTimestamp = iso(now);
        e.instance.IsLastCheckValid = false;
        e.instance.LastCheckPartialSuccess = false;
      }
      if (!wasFailing) {
        this.markChanged(e);
        this.suspect(e, now);
        if (this.hasReplicas(e)) this.startBurst(e);
      } else if (this.bursts.has(e.id)) this.markChanged(e);
      this.scheduleFlush();
      return;
    }
    const inst = result.instance;
    if (keyString(inst.Key) !== e.id) {
      // The server calls itself something else: remember the alias and carry on under that name.
      this.resolved.set(e.key.Hostname, inst.Key.Hostname);
      this.entries.delete(e.id);
      const existing = this.entries.get(keyString(inst.Key));
      if (existing) return;
      e.id = keyString(inst.Key);
      e.key = { ...inst.Key };
      this.entries.set(e.id, e);
    }
    e.failures = 0;
    e.refused = false;
    e.lastSeen = now;
    e.lastSeenProbeStart = started;
    // Seen now: whatever suspicion there was is over (a stale one would date the next one wrongly).
    e.suspectSince = undefined;
    e.nextDue = started + this.pollMs;
    this.observeLink(e.id, inst, now);
    inst.LastSeenTimestamp = iso(now);
    inst.LastCheckedTimestamp = inst.LastSeenTimestamp;
    inst.LastAttemptedCheckTimestamp = inst.LastSeenTimestamp;
    inst.IsLastCheckValid = true;
    inst.IsUpToDate = true;
    inst.IsRecentlyChecked = true;
    inst.SecondsSinceLastSeen = { Int64: 0, Valid: true };
    this.applyDerived(inst);
    const moved =
      !previous ||
      previous.SelfBinlogCoordinates.LogFile !== inst.SelfBinlogCoordinates.LogFile ||
      previous.SelfBinlogCoordinates.LogPos !== inst.SelfBinlogCoordinates.LogPos;
    if (moved || !this.coordinatesSince.has(e.id)) this.coordinatesSince.set(e.id, now);
    e.instance = inst;
    if (wasFailing || !previous || replicationChanged(previous, inst) || this.bursts.size > 0)
      this.markChanged(e);
    this.batch.upsert(inst);
    this.follow(inst);
    this.scheduleFlush();
  }

  /** Cluster fields from the master's last-known view, and errant GTIDs against it. */
  private applyDerived(inst: Instance): void {
    const id = keyString(inst.Key);
    const master = isValidKey(inst.MasterKey)
      ? this.entries.get(keyString(inst.MasterKey))?.instance
      : undefined;
    if (master) {
      inst.ClusterName =
        master.ClusterName && master.ClusterName !== id ? master.ClusterName : keyString(master.Key);
      inst.ReplicationDepth = master.ReplicationDepth + 1;
      inst.IsCoMaster = isValidKey(master.MasterKey) && keyString(master.MasterKey) === id;
      if (inst.IsCoMaster) inst.ReplicationDepth = 0;
      inst.AncestryUUID = [inst.ServerUUID, master.AncestryUUID].filter(Boolean).join(',');
      inst.MasterExecutedGtidSet = master.ExecutedGtidSet;
      if (inst.ExecutedGtidSet && master.ExecutedGtidSet) {
        inst.GtidErrant = oracleErrantGtid(
          inst.ExecutedGtidSet,
          master.ExecutedGtidSet,
          master.AncestryUUID.split(',').filter(Boolean),
        );
      } else if (inst.MariaDBGtidBinlogPos && master.MariaDBGtidBinlogPos) {
        inst.GtidErrant = mariadbErrantGtid(inst.MariaDBGtidBinlogPos, master.MariaDBGtidBinlogPos, [
          master.ServerID,
        ]);
      }
    } else {
      inst.ClusterName = id;
      inst.ReplicationDepth = 0;
      inst.AncestryUUID = inst.ServerUUID;
    }
  }

  private follow(inst: Instance): void {
    const cfg = this.o.config;
    if (
      isValidKey(inst.MasterKey) &&
      !matchesAny(inst.MasterKey.Hostname, cfg.DiscoveryIgnoreMasterHostnameFilters)
    ) {
      this.add(inst.MasterKey);
    }
    for (const r of inst.Replicas) {
      // The processlist port assumption can point a replica back at its master: never follow that.
      if (keyString(this.canonical(r)) === keyString(inst.Key)) continue;
      if (!matchesAny(r.Hostname, cfg.DiscoveryIgnoreReplicaHostnameFilters)) this.add(r);
    }
  }

  private replicasOf(e: Entry): Entry[] {
    const out = new Map<string, Entry>();
    for (const k of e.instance?.Replicas ?? []) {
      const r = this.entries.get(keyString(this.canonical(k)));
      if (r) out.set(r.id, r);
    }
    for (const r of this.entries.values()) {
      if (r.instance && isValidKey(r.instance.MasterKey) && keyString(r.instance.MasterKey) === e.id)
        out.set(r.id, r);
    }
    return [...out.values()];
  }

  private hasReplicas(e: Entry): boolean {
    return this.replicasOf(e).length > 0;
  }

  private connectionLost(key: InstanceKey): void {
    if (!this.running) return;
    const e = this.entries.get(keyString(this.canonical(key)));
    // An instance already failing is on its backoff schedule; only a healthy one is news.
    if (e && e.failures === 0) this.enqueueUrgent(e);
  }

  /** Re-probes the failed instance's replicas every burstIntervalMs until they notice or time runs out. */
  private startBurst(e: Entry): void {
    if (this.bursts.has(e.id)) return;
    this.bursts.set(e.id, this.now() + this.o.burstDurationMs);
    let rounds = 0;
    const round = (): void => {
      rounds++;
      const until = this.bursts.get(e.id);
      if (!this.running || until === undefined) return;
      const current = this.entries.get(e.id);
      const replicas = current ? this.replicasOf(current) : [];
      const delay = nextBurstRoundMs(
        {
          present: current !== undefined,
          settled:
            current !== undefined &&
            current.failures === 0 &&
            current.suspectSince === undefined &&
            replicas.every((r) => r.instance?.ReplicationIOThreadRuning || r.failures > 0),
          suspect: current?.suspectSince !== undefined,
          now: this.now(),
          until,
        },
        rounds,
        this.o.burstIntervalMs,
      );
      if (current === undefined || delay === undefined) {
        this.bursts.delete(e.id);
        return;
      }
      this.enqueueUrgent(current);
      for (const r of replicas) this.enqueueUrgent(r);
      later(delay);
    };
    const later = (ms: number): void => {
      const h = this.timers.setTimeout(() => {
        this.burstTimers.delete(h);
        round();
      }, ms);
      this.burstTimers.add(h);
    };
    for (const r of this.replicasOf(e)) this.enqueueUrgent(r);
    later(burstDelayMs(0, this.o.burstIntervalMs));
  }

  /** Records a replica's link signature: unchanged since its first sighting means nothing arrived since. */
  private observeLink(id: string, inst: Instance, now: number): void {
    const observed = observeLink(this.links.get(id), inst, now);
    if (observed === undefined) this.links.delete(id);
    else this.links.set(id, observed);
  }

  private markChanged(e: Entry): void {
    this.batch.clusterChanged(e.instance?.ClusterName || e.id);
  }

  private scheduleFlush(): void {
    if (this.batch.size() >= this.o.batchSize || this.bursts.size > 0) {
      void this.flush();
      return;
    }
    if (this.flushHandle !== undefined) return;
    this.flushHandle = this.timers.setTimeout(() => {
      this.flushHandle = undefined;
      void this.flush();
    }, this.o.flushMs);
  }

  /** Writes pending results; serialised so batches land in order. */
  flush(): Promise<void> {
    this.flushing = this.flushing.then(async () => {
      const { upserts, failures, attempts, changedClusters: changed } = this.batch.take();
      const repo = this.o.repository;
      try {
        if (upserts.length > 0) await repo.upsertInstances(upserts);
        if (failures.length > 0) await repo.recordCheckFailures(failures);
        if (attempts.length > 0) await repo.recordAttempts(attempts, iso(this.now()));
      } catch {
        // A failed write is retried by the next poll of the same instances; nothing to undo here.
      }
      for (const c of changed) this.options.onTopologyChange?.(c);
    });
    return this.flushing;
  }
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** A connection refused anywhere in the error's cause chain (ECONNREFUSED). */
function isRefused(error: unknown): boolean {
  for (let e = error as { code?: unknown; cause?: unknown } | undefined, depth = 0; e && depth < 5; depth++) {
    if (e.code === 'ECONNREFUSED') return true;
    e = e.cause as typeof e;
  }
  return false;
}
