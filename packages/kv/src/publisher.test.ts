// The publisher's contract with a scripted store and an injected sleep: no timers, no servers.
import { describe, expect, it } from 'vitest';
import { type KVPair, masterPairs } from './pairs.js';
import { MasterPublisher, type PublishReport } from './publisher.js';
import type { KVStore } from './store.js';

class ScriptedStore implements KVStore {
  readonly data = new Map<string, string>();
  readonly puts: KVPair[][] = [];
  /** Fail this many of the next calls. */
  failures = 0;
  /** Called at the start of each put (lets a test act while a write is in flight). */
  onPut: (() => void) | undefined;
  constructor(readonly name = 'scripted') {}
  async put(pairs: readonly KVPair[]) {
    this.onPut?.();
    if (this.failures > 0) {
      this.failures--;
      throw new Error('connection refused');
    }
    this.puts.push([...pairs]);
    for (const p of pairs) this.data.set(p.Key, p.Value);
  }
  async get(keys: readonly string[]) {
    if (this.failures > 0) {
      this.failures--;
      throw new Error('connection refused');
    }
    return new Map(keys.filter((k) => this.data.has(k)).map((k) => [k, this.data.get(k)!]));
  }
  async close() {}
}

const pairsOf = (alias: string, port: number) =>
  masterPairs({ prefix: 'mysql/master', alias, master: { Hostname: 'db', Port: port } });

function setup(o: { leader?: () => boolean; stores?: KVStore[] } = {}) {
  const store = new ScriptedStore();
  const slept: number[] = [];
  const reports: PublishReport[] = [];
  const publisher = new MasterPublisher({
    stores: o.stores ?? [store],
    prefix: 'mysql/master',
    initialBackoffMs: 100,
    maxBackoffMs: 500,
    isLeader: o.leader,
    onReport: (r) => reports.push(r),
    sleep: async (ms) => {
      slept.push(ms);
    },
  });
  return { store, slept, reports, publisher };
}

describe('MasterPublisher', () => {
  it('put mode writes every pair of a cluster in one call and reports it', async () => {
    const { store, publisher } = setup();
    const [report] = await publisher.publish(pairsOf('main', 3306));
    expect(report).toMatchObject({
      store: 'scripted',
      group: 'mysql/master/main',
      ok: true,
      attempt: 1,
      written: 5,
    });
    expect(store.puts).toEqual([pairsOf('main', 3306)]);
  });

  it('clusters are written separately, one report each', async () => {
    const { store, publisher } = setup();
    const reports = await publisher.publish([...pairsOf('a', 1), ...pairsOf('b', 2)]);
    expect(reports.map((r) => r.group)).toEqual(['mysql/master/a', 'mysql/master/b']);
    expect(store.puts.map((p) => p.length)).toEqual([5, 5]);
  });

  it('sync mode rewrites only keys whose value differs', async () => {
    const { store, publisher } = setup();
    await publisher.publish(pairsOf('main', 3306));
    const [same] = await publisher.publish(pairsOf('main', 3306), { mode: 'sync' });
    expect(same).toMatchObject({ ok: true, written: 0 });
    const [moved] = await publisher.publish(pairsOf('main', 3307), { mode: 'sync' });
    expect(moved).toMatchObject({ ok: true, written: 2 });
    expect(store.puts.at(-1)!.map((p) => p.Key)).toEqual(['mysql/master/main', 'mysql/master/main/port']);
  });

  it('a failure is reported with its error and retried with doubling backoff, capped', async () => {
    const { store, slept, reports, publisher } = setup();
    store.failures = 4;
    const [first] = await publisher.publish(pairsOf('main', 3306));
    expect(first).toMatchObject({ ok: false, attempt: 1, error: 'connection refused', retryInMs: 100 });
    await publisher.idle();
    expect(slept).toEqual([100, 200, 400, 500]);
    expect(reports.map((r) => [r.attempt, r.ok])).toEqual([
      [1, false],
      [2, false],
      [3, false],
      [4, false],
      [5, true],
    ]);
    expect(store.data.get('mysql/master/main')).toBe('db:3306');
  });

  it('a newer publish for a cluster replaces one still waiting: the older value is never written after it', async () => {
    const { store, publisher, reports } = setup();
    store.failures = 1;
    store.onPut = () => {
      // while the first write is in flight (and about to fail), the master moves again
      if (store.puts.length === 0 && reports.length === 0) void publisher.publish(pairsOf('main', 4000));
    };
    await publisher.publish(pairsOf('main', 3306));
    await publisher.idle();
    expect(store.data.get('mysql/master/main')).toBe('db:4000');
    expect(store.puts.map((p) => p[0]?.Value)).toEqual(['db:4000']);
    // the superseded attempt's failure is not announced as retried
    expect(reports[0]).toMatchObject({ ok: false, pairs: pairsOf('main', 3306) });
    expect(reports[0]?.retryInMs).toBeUndefined();
  });

  it('stops and drops pending writes when this node no longer leads', async () => {
    let leader = true;
    const { store, reports, publisher } = setup({ leader: () => leader });
    store.failures = 1;
    store.onPut = () => {
      leader = false;
    };
    await publisher.publish(pairsOf('main', 3306));
    await publisher.idle();
    expect(store.puts).toEqual([]);
    expect(reports.at(-1)).toMatchObject({
      ok: false,
      error: 'not written: this node is not the raft leader any more',
    });
  });

  it('writes every configured store; one failing store does not hold back another', async () => {
    const good = new ScriptedStore('good');
    const bad = new ScriptedStore('bad');
    bad.failures = 2;
    const { publisher } = setup({ stores: [good, bad] });
    const first = await publisher.publish(pairsOf('main', 3306));
    expect(first.map((r) => [r.store, r.ok])).toEqual([
      ['good', true],
      ['bad', false],
    ]);
    await publisher.idle();
    expect(bad.data.get('mysql/master/main')).toBe('db:3306');
  });

  it('close() ends retries: what is pending is reported as not written', async () => {
    const { store, publisher, reports } = setup();
    store.failures = Number.POSITIVE_INFINITY;
    await publisher.publish(pairsOf('main', 3306));
    await publisher.close();
    expect(reports.at(-1)).toMatchObject({ ok: false, error: 'not written: the publisher closed' });
  });
});
