import type { SideEffect } from '@orchestrator/store';
import { describe, expect, it } from 'vitest';
import { EffectQueue } from './effects.js';

const discover = (port: number): SideEffect => ({ type: 'discover', key: { Hostname: 'db', Port: port } });

describe('EffectQueue', () => {
  it('holds what applies before anyone acts, hands it over first, then passes effects straight on', () => {
    const q = new EffectQueue();
    q.push([discover(1)]);
    q.push([discover(2)]);
    const seen: number[] = [];
    q.consume((effects) => {
      for (const e of effects) if (e.type === 'discover') seen.push(e.key.Port);
    });
    expect(seen).toEqual([1, 2]);
    q.push([discover(3)]);
    expect(seen).toEqual([1, 2, 3]);
  });

  it('keeps at most the newest 10,000 while nobody consumes', () => {
    const q = new EffectQueue();
    for (let i = 0; i < 10_050; i++) q.push([discover(i)]);
    let first = -1;
    let count = 0;
    q.consume((effects) => {
      count += effects.length;
      const e = effects[0];
      if (e?.type === 'discover') first = e.key.Port;
    });
    expect(count).toBe(10_000);
    expect(first).toBe(50);
  });
});
