import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Entry } from '../types.js';
import { openSqliteStores, type SqliteStores } from './sqlite.js';
import { CorruptLogError, CorruptStateError, LogContiguityError } from './sqlite-errors.js';

const enc = new TextEncoder();
const dec = new TextDecoder();

function entry(index: number, term: number, text = `entry-${String(index).padStart(6, '0')}`): Entry {
  return { index, term, kind: 'normal', data: enc.encode(text) };
}

function range(lo: number, hi: number, term: number): Entry[] {
  const out: Entry[] = [];
  for (let i = lo; i <= hi; i++) out.push(entry(i, term));
  return out;
}

describe('SqliteLogStore / SqliteStableStore', () => {
  let dir: string;
  let stores: SqliteStores | undefined;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'raft-sqlite-'));
  });
  afterEach(() => {
    stores?.close();
    stores = undefined;
    rmSync(dir, { recursive: true, force: true });
  });

  const open = (opts = {}) => {
    stores = openSqliteStores(dir, opts);
    return stores;
  };
  const reopen = (opts = {}) => {
    stores?.close();
    stores = undefined;
    return open(opts);
  };

  it('starts empty: first 1, last 0, term(0) = 0', () => {
    const { log, stable } = open();
    expect(log.firstIndex()).toBe(1);
    expect(log.lastIndex()).toBe(0);
    expect(log.term(0)).toBe(0);
    expect(log.term(1)).toBeUndefined();
    expect(stable.hardState()).toEqual({ term: 0, vote: '', commit: 0 });
  });

  it('appends, reads back and survives a reopen', () => {
    const { log } = open();
    log.append(range(1, 10, 1));
    log.append([{ index: 11, term: 2, kind: 'conf', data: enc.encode('c') }]);
    log.append([{ index: 12, term: 2, kind: 'noop', data: new Uint8Array() }]);
    const again = reopen().log;
    expect(again.lastIndex()).toBe(12);
    expect(again.term(11)).toBe(2);
    const got = again.entries(9, 13);
    expect(got.map((e) => [e.index, e.term, e.kind])).toEqual([
      [9, 1, 'normal'],
      [10, 1, 'normal'],
      [11, 2, 'conf'],
      [12, 2, 'noop'],
    ]);
    expect(dec.decode(got[0]?.data)).toBe('entry-000009');
  });

  it('an append at an existing index replaces it and drops everything after it', () => {
    const { log } = open();
    log.append(range(1, 10, 1));
    log.append([entry(6, 3, 'new-6'), entry(7, 3, 'new-7')]);
    expect(log.lastIndex()).toBe(7);
    expect(log.term(6)).toBe(3);
    expect(log.term(8)).toBeUndefined();
    const again = reopen().log;
    expect(again.lastIndex()).toBe(7);
    expect(again.entries(5, 8).map((e) => dec.decode(e.data))).toEqual(['entry-000005', 'new-6', 'new-7']);
  });

  it('refuses gaps and appends before the first index', () => {
    const { log } = open();
    log.append(range(1, 3, 1));
    expect(() => log.append([entry(5, 1)])).toThrow(LogContiguityError);
    expect(() => log.append([entry(4, 1), entry(6, 1)])).toThrow(LogContiguityError);
    log.compact({ index: 2, term: 1, conf: { voters: ['a'] } });
    expect(() => log.append([entry(2, 1)])).toThrow(LogContiguityError);
    expect(() => log.entries(1, 3)).toThrow(LogContiguityError);
    expect(() => log.entries(3, 5)).toThrow(LogContiguityError);
  });

  it('lists the conf entries after the compaction point from its index, surviving a reopen', () => {
    const { log } = open();
    const conf = (i: number): Entry => ({ ...entry(i, 1), kind: 'conf' });
    log.append([entry(1, 1), conf(2), entry(3, 1), conf(4), entry(5, 1)]);
    expect(log.confEntries().map((e) => e.index)).toEqual([2, 4]);
    log.compact({ index: 2, term: 1, conf: { voters: ['a'] } });
    expect(log.confEntries().map((e) => e.index)).toEqual([4]);
    const again = reopen().log;
    expect(again.confEntries().map((e) => [e.index, e.kind])).toEqual([[4, 'conf']]);
  });

  it('limits entries() by bytes but always returns at least one', () => {
    const { log } = open({ tailCacheEntries: 2 });
    log.append(range(1, 20, 1)); // 12 bytes each
    expect(log.entries(1, 21, 30).length).toBe(2);
    expect(log.entries(1, 21, 1).length).toBe(1);
    expect(log.entries(1, 21).length).toBe(20);
    // Reads spanning disk and the tail cache stay contiguous.
    const again = reopen({ tailCacheEntries: 4 }).log;
    again.append(range(21, 40, 1));
    expect(again.entries(15, 41).map((e) => e.index)).toEqual(range(15, 40, 1).map((e) => e.index));
  });

  it('caches entries with data of their own, not views into a larger frame', () => {
    const { log } = open();
    const frame = new Uint8Array(64 * 1024).fill(7);
    const view = frame.subarray(100, 110);
    log.append([{ index: 1, term: 1, kind: 'normal', data: view }]);
    const [cached] = log.entries(1, 2);
    expect(Array.from(cached?.data ?? [])).toEqual(Array.from(view));
    expect(cached?.data.buffer.byteLength).toBe(10);
  });

  it('keeps at most twice its tail cache in memory, however long the log', () => {
    const { log } = open({ tailCacheEntries: 8 });
    for (let i = 1; i <= 200; i += 10) log.append(range(i, i + 9, 1));
    expect(log.cachedEntries).toBeLessThanOrEqual(16);
    expect(log.entries(1, 201).map((e) => e.index)).toEqual(range(1, 200, 1).map((e) => e.index));
  });

  it('compacts and resets, persisting the compaction point', () => {
    const { log } = open();
    log.append(range(1, 10, 2));
    const conf = { voters: ['a:1', 'b:2'] };
    log.compact({ index: 6, term: 2, conf });
    expect(log.firstIndex()).toBe(7);
    expect(log.term(6)).toBe(2);
    expect(log.term(5)).toBeUndefined();
    let again = reopen().log;
    expect(again.firstIndex()).toBe(7);
    expect(again.lastIndex()).toBe(10);
    expect(again.compactedMeta()).toEqual({ index: 6, term: 2, conf });
    again.resetTo({ index: 100, term: 5, conf });
    expect(again.firstIndex()).toBe(101);
    expect(again.lastIndex()).toBe(100);
    expect(again.term(100)).toBe(5);
    again = reopen().log;
    expect(again.lastIndex()).toBe(100);
    again.append([entry(101, 5)]);
    expect(again.entries(101, 102)[0]?.index).toBe(101);
  });

  it('stores hard state and named values durably', () => {
    const { stable } = open();
    stable.setHardState({ term: 7, vote: 'n2:10008', commit: 42 });
    stable.set('bootstrap', '["a","b"]');
    const again = reopen().stable;
    expect(again.hardState()).toEqual({ term: 7, vote: 'n2:10008', commit: 42 });
    expect(again.get('bootstrap')).toBe('["a","b"]');
    expect(again.get('missing')).toBeUndefined();
  });

  it('detects a flipped byte in an entry on disk, naming the file and index', () => {
    const { log } = open();
    log.append(range(1, 50, 1));
    stores?.close(); // checkpoints the WAL into raft.db
    stores = undefined;
    const file = join(dir, 'raft.db');
    const bytes = readFileSync(file);
    const at = bytes.indexOf(Buffer.from('entry-000037'));
    expect(at).toBeGreaterThan(0);
    bytes.writeUInt8(bytes.readUInt8(at + 8) ^ 0x01, at + 8);
    writeFileSync(file, bytes);
    let caught: unknown;
    try {
      open();
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(CorruptLogError);
    expect((caught as CorruptLogError).index).toBe(37);
    expect((caught as CorruptLogError).file).toBe(file);
    expect((caught as CorruptLogError).code).toBe('CORRUPT_LOG');
    expect(String((caught as Error).message)).toContain(file);
    // Without the open-time scan the bad entry is still refused when read.
    const lazy = open({ verifyOnOpen: false }).log;
    expect(() => lazy.entries(30, 40)).toThrow(CorruptLogError);
    expect(lazy.entries(38, 51).length).toBe(13);
  });

  it('detects corrupt hard state', () => {
    const { stable } = open();
    stable.setHardState({ term: 123456, vote: 'x', commit: 1 });
    stores?.close();
    stores = undefined;
    const file = join(dir, 'raft.db');
    const bytes = readFileSync(file);
    const at = bytes.indexOf(Buffer.from('123456'));
    expect(at).toBeGreaterThan(0);
    bytes[at] = '9'.charCodeAt(0);
    writeFileSync(file, bytes);
    expect(() => open()).toThrow(CorruptStateError);
  });

  it('keeps an unsynced write once a later synced one commits', () => {
    const s = open();
    s.unsyncedTransaction(() => s.stable.setHardState({ term: 1, vote: 'a', commit: 9 }));
    s.transaction(() => s.log.append(range(1, 2, 1)));
    const again = reopen();
    expect(again.stable.hardState()).toEqual({ term: 1, vote: 'a', commit: 9 });
    expect(again.log.lastIndex()).toBe(2);
  });

  it('runs entries and hard state in one transaction', () => {
    const s = open();
    s.transaction(() => {
      s.log.append(range(1, 3, 4));
      s.stable.setHardState({ term: 4, vote: '', commit: 2 });
    });
    const again = reopen();
    expect(again.log.lastIndex()).toBe(3);
    expect(again.stable.hardState().term).toBe(4);
  });
});
