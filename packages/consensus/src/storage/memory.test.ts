import { describe, expect, it } from 'vitest';
import type { Entry } from '../types.js';
import { MemoryLogStore, MemorySnapshotStore, MemoryStableStore } from './memory.js';

const ent = (index: number, term: number, size = 1): Entry => ({
  index,
  term,
  kind: 'normal',
  data: new Uint8Array(size),
});

describe('MemoryLogStore', () => {
  it('starts empty at index 0', () => {
    const log = new MemoryLogStore();
    expect(log.firstIndex()).toBe(1);
    expect(log.lastIndex()).toBe(0);
    expect(log.term(0)).toBe(0);
    expect(log.term(1)).toBeUndefined();
  });

  it('appends, and an append at an existing index replaces the suffix (§5.3)', () => {
    const log = new MemoryLogStore();
    log.append([ent(1, 1), ent(2, 1), ent(3, 1)]);
    log.append([ent(2, 2)]);
    expect(log.lastIndex()).toBe(2);
    expect(log.term(2)).toBe(2);
    expect(log.term(3)).toBeUndefined();
    expect(() => log.append([ent(5, 2)])).toThrow(RangeError);
  });

  it('limits entries by bytes but returns at least one', () => {
    const log = new MemoryLogStore();
    log.append([ent(1, 1, 10), ent(2, 1, 10), ent(3, 1, 10)]);
    expect(log.entries(1, 4, 5).map((e) => e.index)).toEqual([1]);
    expect(log.entries(1, 4, 20).map((e) => e.index)).toEqual([1, 2]);
    expect(log.entries(1, 4).map((e) => e.index)).toEqual([1, 2, 3]);
    expect(() => log.entries(0, 2)).toThrow(RangeError);
  });

  it('compacts behind a snapshot and resets to a snapshot position', () => {
    const log = new MemoryLogStore();
    log.append([ent(1, 1), ent(2, 1), ent(3, 2)]);
    const meta = { index: 2, term: 1, conf: { voters: ['a'] } };
    log.compact(meta);
    expect(log.firstIndex()).toBe(3);
    expect(log.term(2)).toBe(1);
    expect(log.term(1)).toBeUndefined();
    expect(log.compactedMeta()).toEqual(meta);
    log.append([ent(2, 1), ent(3, 2), ent(4, 2)]);
    expect(log.lastIndex()).toBe(4);
    log.resetTo({ index: 10, term: 3, conf: { voters: ['a', 'b'] } });
    expect(log.firstIndex()).toBe(11);
    expect(log.lastIndex()).toBe(10);
    expect(log.term(10)).toBe(3);
  });
});

describe('MemoryStableStore', () => {
  it('holds hard state and named values', () => {
    const s = new MemoryStableStore();
    expect(s.hardState()).toEqual({ term: 0, vote: '', commit: 0 });
    s.setHardState({ term: 2, vote: 'b', commit: 5 });
    expect(s.hardState()).toEqual({ term: 2, vote: 'b', commit: 5 });
    s.set('k', 'v');
    expect(s.get('k')).toBe('v');
    expect(s.get('x')).toBeUndefined();
  });
});

describe('MemorySnapshotStore', () => {
  it('keeps the newest snapshots first', async () => {
    const s = new MemorySnapshotStore(2);
    expect(await s.latest()).toBeUndefined();
    for (const i of [1, 2, 3]) {
      await s.save({ meta: { index: i, term: 1, conf: { voters: [] } }, data: new Uint8Array([i]) });
    }
    expect((await s.list()).map((m) => m.index)).toEqual([3, 2]);
    expect((await s.latest())?.data).toEqual(new Uint8Array([3]));
  });
});
