import { describe, expect, it } from 'vitest';
import {
  candidateExpiry,
  commandOps,
  encodeCommand,
  isCandidateRule,
  isSettablePromotionRule,
  SETTABLE_PROMOTION_RULES,
} from '../src/index.js';

describe('encodeCommand', () => {
  it('is the envelope as UTF-8 JSON with the payload as a plain JSON value', () => {
    const bytes = encodeCommand('forget', { Hostname: 'db1', Port: 3306 }, 1_700_000_000_000);
    expect(JSON.parse(new TextDecoder().decode(bytes))).toEqual({
      op: 'forget',
      value: { Hostname: 'db1', Port: 3306 },
      at: 1_700_000_000_000,
    });
  });

  it('raw ops carry their string as it is', () => {
    const bytes = encodeCommand('yield', 'node2:10008', 1);
    expect(JSON.parse(new TextDecoder().decode(bytes)).value).toBe('node2:10008');
  });

  it('lists every op once', () => {
    expect(new Set(commandOps).size).toBe(commandOps.length);
    expect(commandOps).toContain('register-candidate');
    expect(commandOps).toContain('set-cluster-alias-manual-override');
  });
});

describe('promotion rules', () => {
  it('must is not settable (the reference refuses it), the four others are', () => {
    expect(SETTABLE_PROMOTION_RULES).toEqual(['prefer', 'neutral', 'prefer_not', 'must_not']);
    expect(isSettablePromotionRule('must')).toBe(false);
    expect(isSettablePromotionRule('prefer_not')).toBe(true);
    expect(isSettablePromotionRule(undefined)).toBe(false);
  });

  it('must and prefer make a candidate', () => {
    expect(isCandidateRule('must')).toBe(true);
    expect(isCandidateRule('prefer')).toBe(true);
    expect(isCandidateRule('neutral')).toBe(false);
  });

  it('a registration expires CandidateInstanceExpireMinutes after it was made', () => {
    expect(candidateExpiry(Date.parse('2026-01-01T00:00:00Z'), 60)).toBe(Date.parse('2026-01-01T01:00:00Z'));
  });
});
