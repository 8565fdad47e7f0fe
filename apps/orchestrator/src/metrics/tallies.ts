// Counts kept as plain numbers on the hot path and handed to prom-client when scraped: a raft
// message or a probe costs one increment, never a label hash or an allocation.
import type { Registry } from 'prom-client';
import { prom } from './prom.js';

/** Counts by one key (a message type, an error kind…). */
export class Tally<K extends string> {
  private readonly counts = new Map<K, number>();

  add(key: K, n = 1): void {
    this.counts.set(key, (this.counts.get(key) ?? 0) + n);
  }

  get(key: K): number {
    return this.counts.get(key) ?? 0;
  }

  entries(): IterableIterator<[K, number]> {
    return this.counts.entries();
  }
}

export interface TallyCounterOptions<K extends string> {
  readonly name: string;
  readonly help: string;
  readonly labelNames: readonly string[];
  readonly tally: Tally<K>;
  /** The labels of a key. */
  readonly labels: (key: K) => Record<string, string>;
  /** Keys reported as 0 before they are first counted (so rate() has a start). */
  readonly known?: readonly K[];
}

/** A counter whose series come from `tally` at scrape time. */
export function tallyCounter<K extends string>(registry: Registry, o: TallyCounterOptions<K>): void {
  new (prom().Counter)({
    name: o.name,
    help: o.help,
    labelNames: o.labelNames,
    registers: [registry],
    collect() {
      this.reset();
      for (const k of o.known ?? []) this.inc(o.labels(k), 0);
      for (const [k, n] of tally(o)) this.inc(o.labels(k), n);
    },
  });
}

const tally = <K extends string>(o: TallyCounterOptions<K>) => o.tally.entries();

/** A counter without labels whose value is `read()` at scrape time. */
export function readCounter(registry: Registry, name: string, help: string, read: () => number): void {
  new (prom().Counter)({
    name,
    help,
    registers: [registry],
    collect() {
      this.reset();
      this.inc(read());
    },
  });
}
