import { describe, expect, it } from 'vitest';
import { parseEnvironmentFile, parseUnitFile, runSystemdTool, unitValue } from './systemd.js';

describe('parseUnitFile', () => {
  it('reads sections, repeated keys, comments and continuations', () => {
    const unit = parseUnitFile(
      [
        '# comment',
        '[Unit]',
        'StartLimitIntervalSec=0',
        '',
        '[Service]',
        '; another comment',
        'SystemCallFilter=@system-service',
        'SystemCallFilter=~@mount',
        'ExecStart=/usr/bin/node a.mjs \\',
        '  --config=/etc/x.json http',
      ].join('\n'),
    );
    expect(unitValue(unit, 'Unit', 'StartLimitIntervalSec')).toBe('0');
    expect(unit.get('Service')?.get('SystemCallFilter')).toEqual(['@system-service', '~@mount']);
    expect(unitValue(unit, 'Service', 'ExecStart')).toBe('/usr/bin/node a.mjs    --config=/etc/x.json http');
    expect(unitValue(unit, 'Service', 'User')).toBeUndefined();
  });

  it('refuses a line outside a section or without =', () => {
    expect(() => parseUnitFile('User=x')).toThrow('unit line 1 is not Key=Value in a section: User=x');
    expect(() => parseUnitFile('[Service]\nnonsense')).toThrow('unit line 2');
  });
});

describe('parseEnvironmentFile', () => {
  it('reads NAME=value lines, strips matching quotes, skips comments', () => {
    expect(parseEnvironmentFile('# secrets\nA=one\nB="two words"\n\nC=\'3\'\nD=x=y\n')).toEqual({
      A: 'one',
      B: 'two words',
      C: '3',
      D: 'x=y',
    });
  });

  it('refuses anything else, naming the line', () => {
    expect(() => parseEnvironmentFile('A=1\nexport B=2')).toThrow(
      'environment file line 2 is not NAME=value',
    );
  });
});

describe('runSystemdTool', () => {
  it("returns the tool's status and output", () => {
    const run = runSystemdTool('systemd-analyze', ['--version']);
    expect(run.status).toBe(0);
    expect(run.output).toMatch(/^systemd \d+/);
  });
});
