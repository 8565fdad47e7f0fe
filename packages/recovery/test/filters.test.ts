import { describe, expect, it } from 'vitest';
import { clusterMatchesFilters, hostnameMatchesFilters } from '../src/filters.js';

describe('cluster filters', () => {
  it.each([
    [['*'], 'db1:3306', 'main', true],
    [['db1:3306'], 'db1:3306', 'main', true],
    [['main'], 'db1:3306', 'main', true],
    [['alias=main'], 'db1:3306', 'main', true],
    [['alias=mai'], 'db1:3306', 'main', false],
    [['alias~=^ma'], 'db1:3306', 'main', true],
    [['alias~=^x'], 'db1:3306', 'main', false],
    [['alias=main'], 'db1:3306', '', false],
    [['^db1'], 'db1:3306', 'main', true],
    [['^db2'], 'db1:3306', 'main', false],
    [['('], 'db1:3306', 'main', false],
    [[], 'db1:3306', 'main', false],
    [['other', 'alias=main'], 'db1:3306', 'main', true],
  ])('%j on %s/%s → %s', (filters, name, alias, expected) => {
    expect(clusterMatchesFilters(filters, name, alias)).toBe(expected);
  });
  it('hostname filters are regexes', () => {
    expect(hostnameMatchesFilters(['^backup-'], 'backup-1.example')).toBe(true);
    expect(hostnameMatchesFilters(['^backup-'], 'db-1.example')).toBe(false);
  });
});
