// A cache of rendered read responses (instance and cluster views). A cached body is served while the
// data it was read from is unchanged (the source's version, e.g. the store's write counter, is the
// same) and it is younger than maxAgeMs, which bounds how stale read-time fields such as
// SecondsSinceLastSeen can get. Busy dashboards then cost one query per change, not per request.

export interface ReadCacheOptions {
  /** Changes whenever the data behind cached routes may have changed. */
  version(): number;
  /** Longest a body is served without being read again, even when nothing was written. */
  maxAgeMs: number;
  /** Most bodies kept; the oldest is dropped first. Default 1000. */
  maxEntries?: number;
  /** Monotonic clock in ms. Default performance.now. */
  now?: () => number;
}

interface Entry {
  readonly version: number;
  readonly at: number;
  readonly body: string;
}

export class ReadCache {
  private readonly entries = new Map<string, Entry>();
  /** Lookups answered from the cache, and those that were not (for metrics). */
  hits = 0;
  misses = 0;
  private readonly maxEntries: number;
  private readonly now: () => number;

  constructor(private readonly options: ReadCacheOptions) {
    this.maxEntries = options.maxEntries ?? 1000;
    this.now = options.now ?? (() => performance.now());
  }

  /** The version to note before computing a body for `set`. */
  version(): number {
    return this.options.version();
  }

  get(key: string): string | undefined {
    const e = this.entries.get(key);
    if (e === undefined) {
      this.misses++;
      return undefined;
    }
    if (e.version !== this.options.version() || this.now() - e.at > this.options.maxAgeMs) {
      this.entries.delete(key);
      this.misses++;
      return undefined;
    }
    this.hits++;
    return e.body;
  }

  /** Stores `body`, computed from data as of `version` (noted before reading). */
  set(key: string, version: number, body: string): void {
    if (version !== this.options.version()) return; // already stale
    this.entries.delete(key);
    this.entries.set(key, { version, at: this.now(), body });
    if (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
  }

  get size(): number {
    return this.entries.size;
  }
}
