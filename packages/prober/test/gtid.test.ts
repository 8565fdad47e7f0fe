import { describe, expect, it } from 'vitest';
import {
  formatGtidSet,
  mariadbErrantGtid,
  oracleErrantGtid,
  parseGtidSet,
  subtractGtidSets,
} from '../src/gtid.js';

const A = '3e11fa47-71ca-11e1-9e33-c80aa9429562';
const B = '4f22ab58-71ca-11e1-9e33-c80aa9429562';

describe('Oracle GTID sets', () => {
  it('parses, merges and formats', () => {
    expect(formatGtidSet(parseGtidSet(`${A}:1-5:6-7:10,\n${B}:3`))).toBe(`${A}:1-7:10,${B}:3`);
  });
  it('subtracts like GTID_SUBTRACT', () => {
    expect(formatGtidSet(subtractGtidSets(parseGtidSet(`${A}:1-10`), parseGtidSet(`${A}:3-4:8`)))).toBe(
      `${A}:1-2:5-7:9-10`,
    );
  });
  it('errant GTIDs ignore the ancestors', () => {
    expect(oracleErrantGtid(`${A}:1-10,${B}:1-2`, `${A}:1-8`, [A])).toBe(`${B}:1-2`);
    expect(oracleErrantGtid(`${A}:1-10`, `${A}:1-8`, [A])).toBe('');
  });
});

describe('MariaDB GTID positions', () => {
  it('flags local writes of a non-ancestor server the master has not seen', () => {
    expect(mariadbErrantGtid('0-1-100,0-7-3', '0-1-100', [1])).toBe('0-7-3');
    expect(mariadbErrantGtid('0-1-120', '0-1-100', [1])).toBe('');
    expect(mariadbErrantGtid('0-7-3', '0-7-3', [1])).toBe('');
  });
});
