import { describe, expect, it } from 'vitest';
import {
  compareMariaDBGtid,
  compareOracleGtid,
  formatMariaDBGtidPos,
  oracleGtidCount,
  parseMariaDBGtidPos,
  parseOracleGtidSet,
} from '../src/gtid.js';

describe('MariaDB GTID positions', () => {
  it('parses and formats, keeping the highest sequence per domain', () => {
    expect(formatMariaDBGtidPos(parseMariaDBGtidPos('1-2-5, 0-1-10,0-3-9'))).toBe('0-1-10,1-2-5');
    expect(parseMariaDBGtidPos('').size).toBe(0);
    expect(() => parseMariaDBGtidPos('0-1')).toThrow(/invalid MariaDB GTID/);
  });
  it.each([
    ['0-1-10', '0-1-10', 'equal'],
    ['0-1-11', '0-1-10', 'ahead'],
    ['0-1-9', '0-1-10', 'behind'],
    ['0-1-10,1-1-5', '0-1-10', 'ahead'],
    ['0-1-11,1-1-4', '0-1-10,1-1-5', 'diverged'],
    ['', '0-1-1', 'behind'],
  ])('%s vs %s is %s', (a, b, expected) => {
    expect(compareMariaDBGtid(parseMariaDBGtidPos(a), parseMariaDBGtidPos(b))).toBe(expected);
  });
});

describe('Oracle GTID sets', () => {
  const u1 = '3e11fa47-71ca-11e1-9e33-c80aa9429562';
  const u2 = '4e11fa47-71ca-11e1-9e33-c80aa9429562';
  it('parses intervals and counts transactions', () => {
    expect(oracleGtidCount(parseOracleGtidSet(`${u1}:1-5:7, ${u2}:3`))).toBe(7n);
    expect(oracleGtidCount(parseOracleGtidSet(`${u1}:1-5,${u1}:6-8`))).toBe(8n);
    expect(() => parseOracleGtidSet(`${u1}:x`)).toThrow(/invalid GTID interval/);
  });
  it.each([
    [`${u1}:1-10`, `${u1}:1-10`, 'equal'],
    [`${u1}:1-11`, `${u1}:1-10`, 'ahead'],
    [`${u1}:1-10`, `${u1}:1-10,${u2}:1`, 'behind'],
    [`${u1}:1-10,${u2}:1`, `${u1}:1-11`, 'diverged'],
  ])('%s vs %s is %s', (a, b, expected) => {
    expect(compareOracleGtid(parseOracleGtidSet(a), parseOracleGtidSet(b))).toBe(expected);
  });
});
