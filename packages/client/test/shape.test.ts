import { describe, expect, it } from 'vitest';
import { samples, shapeMismatches } from '../src/testing/index.js';

describe('shapeMismatches', () => {
  it('accepts the same shape with other values, extra fields and nulls', () => {
    const real = { ...samples.db2, Key: { Hostname: 'x', Port: 1 }, Extra: 1, Replicas: null };
    expect(shapeMismatches(samples.db2, real)).toEqual([]);
    expect(
      shapeMismatches(samples.ok([samples.db2]).body, { Code: 'OK', Message: '', Details: [real] }),
    ).toEqual([]);
  });

  it('names missing fields and type changes, inside arrays too', () => {
    const { MasterKey: _dropped, ...noMaster } = samples.db2;
    expect(shapeMismatches([samples.db2], [{ ...noMaster, Key: { Hostname: 'x', Port: '1' } }])).toEqual([
      '$[0].Key.Port: expected number, got string',
      '$[0].MasterKey: missing',
    ]);
    expect(shapeMismatches({ Details: 'x' }, { Details: ['x'] })).toEqual([
      '$.Details: expected string, got array',
    ]);
  });
});
