import { describe, expect, it } from 'vitest';
import { decideResume, isInterrupted } from '../src/resume.js';
import type { RecoveryRecord } from '../src/types.js';
import { entry, key } from './fixtures.js';

const self = { hostname: 'orc2', token: 't2' };
function rec(over: Partial<RecoveryRecord> = {}): RecoveryRecord {
  return {
    Id: 1,
    UID: 'u1',
    AnalysisEntry: entry(),
    SuccessorKey: null,
    IsActive: true,
    IsSuccessful: false,
    Acknowledged: false,
    RecoveryStartTimestamp: '2026-01-01T00:00:00.000Z',
    RecoveryEndTimestamp: '',
    ProcessingNodeHostname: 'orc1',
    ProcessingNodeToken: 't1',
    ...over,
  };
}

describe('interrupted recoveries', () => {
  it.each([
    [rec(), true],
    [rec({ RecoveryEndTimestamp: '2026-01-01T00:00:01.000Z' }), false],
    [rec({ ProcessingNodeHostname: 'orc2', ProcessingNodeToken: 't2' }), false],
    // Same host, earlier process (another token): interrupted too.
    [rec({ ProcessingNodeHostname: 'orc2', ProcessingNodeToken: 'old' }), true],
  ])('isInterrupted #%#', (r, expected) => expect(isInterrupted(r, self)).toBe(expected));

  it('counts the own unfinished recovery as interrupted once it no longer runs here', () => {
    const mine = rec({ ProcessingNodeHostname: 'orc2', ProcessingNodeToken: 't2' });
    expect(isInterrupted(mine, self, new Set(['u1']))).toBe(false);
    expect(isInterrupted(mine, self, new Set())).toBe(true);
    expect(
      isInterrupted({ ...mine, RecoveryEndTimestamp: '2026-01-01T00:00:01.000Z' }, self, new Set()),
    ).toBe(false);
  });

  it('resumes a master recovery only while the cluster has no writable master', () => {
    expect(decideResume(rec(), null)).toMatchObject({ action: 'resume' });
    expect(decideResume(rec(), key(3307))).toMatchObject({ action: 'resolve', writableMaster: key(3307) });
  });

  it('never redoes a graceful takeover (it would lose its no-lost-rows promise)', () => {
    const takeover = rec({ AnalysisEntry: entry({ CommandHint: 'graceful-master-takeover' }) });
    expect(decideResume(takeover, null)).toMatchObject({ action: 'resolve', writableMaster: null });
  });

  it('always redoes intermediate-master recoveries', () => {
    const im = rec({ AnalysisEntry: entry({ Analysis: 'DeadIntermediateMaster', IsMaster: false }) });
    expect(decideResume(im, key(3306))).toMatchObject({ action: 'resume' });
  });
});
