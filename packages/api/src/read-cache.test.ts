import { describe, expect, it } from 'vitest';
import { ReadCache } from './read-cache.js';

function setup(maxEntries?: number) {
  const state = { version: 1, now: 0 };
  const cache = new ReadCache({
    version: () => state.version,
    maxAgeMs: 500,
    maxEntries,
    now: () => state.now,
  });
  return { state, cache };
}

describe('ReadCache', () => {
  it('counts hits, and misses whether the body was absent, changed or too old', () => {
    const { state, cache } = setup();
    expect(cache.get('a')).toBeUndefined();
    cache.set('a', cache.version(), '[1]');
    cache.get('a');
    cache.get('a');
    state.version++;
    cache.get('a');
    cache.set('a', cache.version(), '[2]');
    state.now = 1000;
    cache.get('a');
    expect({ hits: cache.hits, misses: cache.misses }).toEqual({ hits: 2, misses: 3 });
  });

  it('serves a body until the data version changes', () => {
    const { state, cache } = setup();
    cache.set('a', cache.version(), '[1]');
    expect(cache.get('a')).toBe('[1]');
    state.version++;
    expect(cache.get('a')).toBeUndefined();
  });

  it('serves a body for at most maxAgeMs even when nothing was written', () => {
    const { state, cache } = setup();
    cache.set('a', cache.version(), '[1]');
    state.now = 500;
    expect(cache.get('a')).toBe('[1]');
    state.now = 501;
    expect(cache.get('a')).toBeUndefined();
  });

  it('does not store a body computed before a write that happened while it was computed', () => {
    const { state, cache } = setup();
    const noted = cache.version();
    state.version++; // a write lands while the handler was reading
    cache.set('a', noted, '[old]');
    expect(cache.get('a')).toBeUndefined();
  });

  it('keeps at most maxEntries bodies, dropping the oldest', () => {
    const { cache } = setup(2);
    cache.set('a', cache.version(), 'A');
    cache.set('b', cache.version(), 'B');
    cache.set('c', cache.version(), 'C');
    expect(cache.size).toBe(2);
    expect(cache.get('a')).toBeUndefined();
    expect(cache.get('c')).toBe('C');
  });
});
