import { expect, it } from 'vitest';
import { bytes, Harness } from '../sim/harness.js';

it('smoke', () => {
  const h = new Harness(['a', 'b', 'c']);
  h.tick(25);
  const leaders = h.leaders();
  expect(leaders.length).toBe(1);
  const l = leaders[0]!;
  h.raw(l).propose(bytes('x'));
  h.raw(l).propose(bytes('y'));
  h.stabilize();
  for (const id of ['a', 'b', 'c']) expect(h.appliedData(id)).toEqual(['x', 'y']);
  const single = new Harness(['s']);
  single.tick(1);
  expect(single.leaders()).toEqual(['s']);
  single.raw('s').propose(bytes('z'));
  single.stabilize();
  expect(single.appliedData('s')).toEqual(['z']);
});
