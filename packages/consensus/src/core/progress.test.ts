import { describe, expect, it } from 'vitest';
import { Progress } from './progress.js';

function replicating(match: number): Progress {
  const pr = new Progress(1, 16, 1 << 20);
  pr.maybeUpdate(match);
  pr.becomeReplicate();
  return pr;
}

describe('Progress.maybeDecrTo (leader-side back-off, §5.3)', () => {
  it('ignores a stale rejection of an index the follower has since acknowledged', () => {
    const pr = replicating(100);
    expect(pr.maybeDecrTo(40, 30)).toBe(false);
    expect(pr.match).toBe(100);
  });

  it('backs off in replicate state when an append past match is refused', () => {
    const pr = replicating(100);
    expect(pr.maybeDecrTo(120, 110)).toBe(true);
    expect(pr.next).toBe(101);
  });

  it('starts over when the follower no longer holds what it acknowledged (re-provisioned with an empty data dir)', () => {
    const pr = replicating(100);
    expect(pr.maybeDecrTo(100, 0)).toBe(true);
    expect(pr.match).toBe(0);
    expect(pr.next).toBe(1);
  });
});
