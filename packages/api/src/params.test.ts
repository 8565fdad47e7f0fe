import { describe, expect, it } from 'vitest';
import {
  parseDuration,
  parseInstanceList,
  parseKeyString,
  parsePort,
  parseTag,
  parseTagExpression,
  parseText,
} from './params.js';

describe('parameter parsing', () => {
  it('durations', () => {
    expect(parseDuration('10m')).toBe(600);
    expect(parseDuration('1h30m')).toBe(5400);
    expect(parseDuration('2d')).toBe(172800);
    expect(parseDuration('45')).toBe(45);
    expect(parseDuration('0')).toBe(0);
    for (const bad of ['', 'm', '10x', '1h-', '99999w'])
      expect(() => parseDuration(bad), bad).toThrow(/duration/);
  });

  it('text: trailing whitespace and newlines dropped (the upstream client sends %0A), other control characters refused', () => {
    expect(parseText('acceptance\n', 'owner')).toBe('acceptance');
    expect(parseText('planned maintenance \r\n\t ', 'reason')).toBe('planned maintenance');
    expect(parseText('a b', 'reason')).toBe('a b');
    expect(() => parseText('\n', 'owner')).toThrow(/invalid parameter owner: is required/);
    expect(() => parseText('bad\u0000value', 'owner')).toThrow(
      /invalid parameter owner: contains control characters/,
    );
    expect(() => parseText('two\nlines', 'reason')).toThrow(
      /invalid parameter reason: contains control characters/,
    );
    expect(() => parseText('\u001b[31mred', 'comment')).toThrow(/comment: contains control characters/);
  });

  it('ports', () => {
    expect(parsePort('1')).toBe(1);
    expect(parsePort('65535')).toBe(65535);
    for (const bad of ['0', '65536', '-1', '1e3', ' 80', ''])
      expect(() => parsePort(bad), bad).toThrow(/port/);
  });

  it('instance keys and lists', () => {
    expect(parseKeyString('db1:3307', 'k')).toEqual({ Hostname: 'db1', Port: 3307 });
    expect(parseKeyString('db1', 'k')).toEqual({ Hostname: 'db1', Port: 3306 });
    expect(parseKeyString('[::1]:3307', 'k')).toEqual({ Hostname: '::1', Port: 3307 });
    expect(parseInstanceList('a:1, b', 'i')).toEqual([
      { Hostname: 'a', Port: 1 },
      { Hostname: 'b', Port: 3306 },
    ]);
    expect(() => parseInstanceList('a:x', 'instances')).toThrow(/parameter instances/);
  });

  it('tags', () => {
    expect(parseTag('a=b=c')).toEqual({ TagName: 'a', TagValue: 'b=c', HasValue: true, Negate: false });
    expect(parseTagExpression('a,~b,c=1').map((t) => [t.TagName, t.Negate, t.HasValue])).toEqual([
      ['a', false, false],
      ['b', true, false],
      ['c', false, true],
    ]);
    expect(() => parseTag('')).toThrow(/parameter tag/);
    expect(() => parseTag('~x')).toThrow(/not a valid tag name/);
  });
});
