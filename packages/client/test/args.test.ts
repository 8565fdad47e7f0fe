// Command-line parsing and the pure helpers (keys, URLs, route kinds).
import { describe, expect, it } from 'vitest';
import { parseArgs } from '../src/cli/args.js';
import {
  formatKey,
  isIdempotentRoute,
  keyOf,
  normalizeApiUrl,
  parseApiList,
  parseInstanceKey,
} from '../src/index.js';

describe('parseArgs', () => {
  it('has the reference defaults', () => {
    const o = parseArgs([], {}, 'me');
    expect(o).toMatchObject({ command: '', owner: 'me', duration: '10m', defaultPort: 3306 });
    expect(o.api).toBe('http://localhost:3000');
    expect(o.basicAuth).toBe('');
  });

  it('accepts short, attached, long, single-dash long and --x=value forms', () => {
    const o = parseArgs(
      [
        '-cdiscover',
        '-i',
        'db-1',
        '--alias',
        'main',
        '-owner',
        'bob',
        '--promotion-rule=prefer',
        '-D3307',
        '--json',
      ],
      {},
      'me',
    );
    expect(o).toMatchObject({
      command: 'discover',
      instance: 'db-1',
      alias: 'main',
      owner: 'bob',
      promotionRule: 'prefer',
      defaultPort: 3307,
      json: true,
    });
  });

  it('reads the environment; flags win', () => {
    const env = {
      ORCHESTRATOR_API: 'http://a:3000 http://b:3000',
      ORCHESTRATOR_INSTANCE: 'db-5',
      ORCHESTRATOR_AUTH_USER: 'u',
      ORCHESTRATOR_AUTH_PASSWORD: 'p',
      ORCHESTRATOR_AUTH_USER_HEADER: 'X-User: u',
    };
    expect(parseArgs([], env, 'me')).toMatchObject({
      api: 'http://a:3000 http://b:3000',
      instance: 'db-5',
      basicAuth: 'u:p',
      authHeader: 'X-User: u',
    });
    expect(parseArgs(['-U', 'http://c:3000', '-i', 'db-6'], env, 'me')).toMatchObject({
      api: 'http://c:3000',
      instance: 'db-6',
    });
    expect(parseArgs(['-U', ''], env, 'me').api).toBe('http://a:3000 http://b:3000');
  });

  it('rewrites slave to replica in command names, and -h/--help to help', () => {
    expect(parseArgs(['-c', 'restart-slave'], {}, 'me').command).toBe('restart-replica');
    expect(parseArgs(['-c', 'move-slaves-gtid'], {}, 'me').command).toBe('move-replicas-gtid');
    expect(parseArgs(['-h'], {}, 'me').command).toBe('help');
    expect(parseArgs(['-c', 'clusters', '--help'], {}, 'me').command).toBe('help');
  });

  it('-s is a synonym of -d', () => {
    expect(parseArgs(['-s', 'db-2'], {}, 'me').destination).toBe('db-2');
  });
});

describe('keys and URLs', () => {
  it('parses host[:port] with a default port', () => {
    expect(parseInstanceKey('db-1')).toEqual({ Hostname: 'db-1', Port: 3306 });
    expect(parseInstanceKey('db-1', 3307)).toEqual({ Hostname: 'db-1', Port: 3307 });
    expect(parseInstanceKey('db-1:3310')).toEqual({ Hostname: 'db-1', Port: 3310 });
    expect(() => parseInstanceKey(':3306')).toThrow(/empty hostname/);
    expect(() => parseInstanceKey('db:0')).toThrow(/port/);
  });

  it('formats keys as host:port and finds the key of an Instance', () => {
    expect(formatKey({ Hostname: 'a', Port: 1 })).toBe('a:1');
    expect(formatKey(null)).toBe(':0');
    expect(keyOf({ Key: { Hostname: 'a', Port: 1 }, MasterKey: { Hostname: 'b', Port: 2 } })).toEqual({
      Hostname: 'a',
      Port: 1,
    });
    expect(keyOf({ Hostname: 'c', Port: 3 })).toEqual({ Hostname: 'c', Port: 3 });
    expect(keyOf('x')).toBeNull();
  });

  it('normalises API URLs', () => {
    expect(normalizeApiUrl('http://h:3000')).toBe('http://h:3000/api');
    expect(normalizeApiUrl('http://h:3000/api/')).toBe('http://h:3000/api');
    expect(normalizeApiUrl('http://proxy/orchestrator//')).toBe('http://proxy/orchestrator/api');
    expect(parseApiList('  http://a  http://b/api ')).toEqual(['http://a/api', 'http://b/api']);
    expect(parseApiList('')).toEqual(['http://localhost:3000/api']);
  });

  it('tells reads from writes', () => {
    for (const path of [
      'instance/a/1',
      'clusters',
      'raft-state',
      'restart-replica-statements/a/1?q=x',
      'tags/a/1',
    ]) {
      expect(isIdempotentRoute(path)).toBe(true);
    }
    for (const path of [
      'discover/a/1',
      'begin-downtime/a/1/o/r/10m',
      'stop-slave/a/1',
      'start-replica/a/1',
      'move-below-gtid/a/1/b/2',
      'graceful-master-takeover-auto/c',
      'enable-semi-sync-master/a/1',
      'ack-recovery/cluster/c?comment=x',
      'tag/a/1?tag=x',
      'raft-yield-hint/h',
    ]) {
      expect(isIdempotentRoute(path)).toBe(false);
    }
  });
});
