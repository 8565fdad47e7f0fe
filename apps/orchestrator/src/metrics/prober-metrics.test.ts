import { describe, expect, it } from 'vitest';
import { instanceState } from './prober-metrics.js';

describe('instanceState', () => {
  const now = Date.parse('2026-01-01T00:01:00Z');
  it('is unreachable when the last check failed, whatever its age', () => {
    expect(
      instanceState({ IsLastCheckValid: false, LastCheckedTimestamp: '2026-01-01T00:01:00Z' }, now, 10_000),
    ).toBe('unreachable');
  });
  it('is stale when the last successful check is older than the limit, or unknown', () => {
    expect(
      instanceState({ IsLastCheckValid: true, LastCheckedTimestamp: '2026-01-01T00:00:49Z' }, now, 10_000),
    ).toBe('stale');
    expect(instanceState({ IsLastCheckValid: true, LastCheckedTimestamp: '' }, now, 10_000)).toBe('stale');
  });
  it('is ok when checked successfully within the limit', () => {
    expect(
      instanceState({ IsLastCheckValid: true, LastCheckedTimestamp: '2026-01-01T00:00:51Z' }, now, 10_000),
    ).toBe('ok');
  });
});
