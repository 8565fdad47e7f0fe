// MasterPublisher: keeps the external KV stores at the masters it was last asked to publish. One
// worker per store writes one cluster at a time; a failed write is retried with exponential backoff
// until it succeeds, a newer publish for the same cluster replaces it, this node stops leading, or
// the publisher closes. A newer value never loses to an older one: a worker always writes the
// latest pairs asked for a cluster, and never two writes of one cluster at once.
import { clusterGroupOf, type KVPair } from './pairs.js';
import { errorMessage, type KVStore } from './store.js';

/**
 * - `put`: write every pair (after a failover, or when an operator asks);
 * - `sync`: read the store first and write only the pairs whose value differs (the periodic
 *   publish: an unchanged key is not rewritten, so watchers of the store see no spurious change).
 */
export type PublishMode = 'put' | 'sync';

/** The outcome of one attempt to write one cluster's pairs to one store. */
export interface PublishReport {
  /** The store's name (`zookeeper`, `etcd`, `consul`, `consul-txn`). */
  store: string;
  /** The cluster's master key, e.g. `mysql/master/main`. */
  group: string;
  /** The pairs asked for. */
  pairs: KVPair[];
  ok: boolean;
  /** 1 for the first attempt of these pairs on this store. */
  attempt: number;
  /** Keys actually written (sync mode skips keys that already hold their value). */
  written: number;
  /** Why the attempt failed. */
  error?: string;
  /** When it failed: the next attempt starts after this many ms; absent when it will not be retried. */
  retryInMs?: number;
}

export type Reporter = (report: PublishReport) => void;

export interface MasterPublisherOptions {
  stores: readonly KVStore[];
  /** KVClusterMasterPrefix: pairs are grouped per cluster under it. */
  prefix: string;
  /** Pending writes are dropped (reported as such) whenever this is false. Default: always true. */
  isLeader?: () => boolean;
  /** First retry delay; doubles per consecutive failure of a store. Default 1 000 ms. */
  initialBackoffMs?: number;
  /** Longest retry delay. Default 30 000 ms. */
  maxBackoffMs?: number;
  /** Every report of every publish (logging). */
  onReport?: Reporter;
  /** Injected in tests; must resolve early when `signal` aborts. */
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
}

interface Entry {
  pairs: KVPair[];
  mode: PublishMode;
  attempts: number;
  reporters: Reporter[];
  /** Resolved by the first attempt's report (those of publish() calls merged into this entry too). */
  firstAttempt: ((r: PublishReport) => void)[];
}

const defaultSleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done);
  });

class StoreWorker {
  private readonly pending = new Map<string, Entry>();
  private inFlight: Entry | undefined;
  private running: Promise<void> | undefined;
  private active = false;
  private failures = 0;

  constructor(
    readonly store: KVStore,
    private readonly p: Required<Omit<MasterPublisherOptions, 'stores' | 'onReport'>> & {
      onReport?: Reporter;
      signal: AbortSignal;
    },
  ) {}

  enqueue(group: string, pairs: KVPair[], mode: PublishMode, reporter?: Reporter): Promise<PublishReport> {
    return new Promise<PublishReport>((resolve) => {
      const prev = this.pending.get(group);
      const merge = prev !== undefined && prev !== this.inFlight;
      this.pending.set(group, {
        pairs,
        mode: merge && prev.mode === 'put' ? 'put' : mode,
        attempts: 0,
        reporters: [...(merge ? prev.reporters : []), ...(reporter ? [reporter] : [])],
        firstAttempt: [...(merge ? prev.firstAttempt : []), resolve],
      });
      // `active` is true from here until the loop sees nothing pending (set back in the same
      // synchronous step), so a publish joins a loop that will still see it, or starts one.
      if (!this.active) {
        this.active = true;
        // loop() reports every failure it expects; anything else must not become an unhandled
        // rejection in the process that hosts the publisher.
        this.running = Promise.resolve()
          .then(() => this.loop())
          .catch(() => {});
      }
    });
  }

  idle(): Promise<void> {
    return this.running ?? Promise.resolve();
  }

  /** Writes until nothing is pending. Clears `active` in the same synchronous step that finds the queue empty. */
  private async loop(): Promise<void> {
    try {
      for (;;) {
        if (this.pending.size === 0) {
          this.active = false;
          return;
        }
        if (this.p.signal.aborted || !this.p.isLeader()) {
          const why = this.p.signal.aborted
            ? 'the publisher closed'
            : 'this node is not the raft leader any more';
          for (const [group, entry] of this.pending) {
            this.report(group, entry, { ok: false, written: 0, error: `not written: ${why}` });
          }
          this.pending.clear();
          continue;
        }
        await this.attempt();
      }
    } catch (error) {
      // Unexpected (a store or reporter bug): do not leave the worker marked busy forever.
      this.active = false;
      throw error;
    }
  }

  /** One attempt at the oldest pending cluster; a failure is reported, then waited out (backoff). */
  private async attempt(): Promise<void> {
    const [group, entry] = this.pending.entries().next().value as [string, Entry];
    this.inFlight = entry;
    entry.attempts++;
    try {
      const written = await this.write(entry);
      this.failures = 0;
      if (this.pending.get(group) === entry) this.pending.delete(group);
      this.report(group, entry, { ok: true, written });
    } catch (error) {
      this.failures++;
      const delay = Math.min(this.p.maxBackoffMs, this.p.initialBackoffMs * 2 ** (this.failures - 1));
      const superseded = this.pending.get(group) !== entry;
      this.report(group, entry, {
        ok: false,
        written: 0,
        error: errorMessage(error),
        ...(superseded ? {} : { retryInMs: delay }),
      });
      this.inFlight = undefined;
      await this.p.sleep(delay, this.p.signal);
    } finally {
      this.inFlight = undefined;
    }
  }

  private async write(entry: Entry): Promise<number> {
    let pairs = entry.pairs;
    if (entry.mode === 'sync') {
      const current = await this.store.get(pairs.map((p) => p.Key));
      pairs = pairs.filter((p) => current.get(p.Key) !== p.Value);
    }
    if (pairs.length > 0) await this.store.put(pairs);
    return pairs.length;
  }

  private report(
    group: string,
    entry: Entry,
    outcome: Pick<PublishReport, 'ok' | 'written' | 'error' | 'retryInMs'>,
  ): void {
    const report: PublishReport = {
      store: this.store.name,
      group,
      pairs: entry.pairs,
      attempt: entry.attempts,
      ...outcome,
    };
    for (const r of entry.reporters) safely(() => r(report));
    if (this.p.onReport) safely(() => this.p.onReport?.(report));
    for (const resolve of entry.firstAttempt.splice(0)) resolve(report);
  }
}

function safely(f: () => void): void {
  try {
    f();
  } catch {
    // a reporter's failure must not stop the worker
  }
}

export class MasterPublisher {
  private readonly workers: StoreWorker[];
  private readonly abort = new AbortController();
  readonly prefix: string;

  constructor(options: MasterPublisherOptions) {
    this.prefix = options.prefix;
    const shared = {
      prefix: options.prefix,
      isLeader: options.isLeader ?? (() => true),
      initialBackoffMs: options.initialBackoffMs ?? 1000,
      maxBackoffMs: options.maxBackoffMs ?? 30_000,
      sleep: options.sleep ?? defaultSleep,
      onReport: options.onReport,
      signal: this.abort.signal,
    };
    this.workers = options.stores.map((s) => new StoreWorker(s, shared));
  }

  /** Names of the configured stores. */
  get storeNames(): string[] {
    return this.workers.map((w) => w.store.name);
  }

  /**
   * Queues `pairs` (one or more clusters) on every store and returns at once with a promise of
   * each store's first attempt per cluster. Retries go on in the background; `report` hears about
   * every attempt. Never rejects.
   */
  publish(
    pairs: readonly KVPair[],
    options: { mode?: PublishMode; report?: Reporter } = {},
  ): Promise<PublishReport[]> {
    const groups = new Map<string, KVPair[]>();
    for (const pair of pairs) {
      const group = clusterGroupOf(this.prefix, pair.Key);
      const list = groups.get(group);
      if (list) list.push({ ...pair });
      else groups.set(group, [{ ...pair }]);
    }
    const firsts: Promise<PublishReport>[] = [];
    for (const worker of this.workers) {
      for (const [group, list] of groups) {
        firsts.push(worker.enqueue(group, list, options.mode ?? 'put', options.report));
      }
    }
    return Promise.all(firsts);
  }

  /** Resolves when every store has nothing left to write (tests). */
  async idle(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.idle()));
  }

  /** Stops retrying (pending writes are reported as not written) and closes the stores. */
  async close(): Promise<void> {
    this.abort.abort();
    await Promise.all(this.workers.map((w) => w.idle().catch(() => {})));
    await Promise.all(this.workers.map((w) => w.store.close().catch(() => {})));
  }
}
