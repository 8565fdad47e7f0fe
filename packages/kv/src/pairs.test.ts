// The key layout: the reference's keys and values for a cluster's master (§5.2 step 9.2).
import { describe, expect, it } from 'vitest';
import { clusterGroupOf, clusterMasterKey, masterPairs } from './pairs.js';

describe('masterPairs', () => {
  it('writes <prefix>/<alias> = host:port, then /hostname, /port, /ipv4, /ipv6', () => {
    expect(
      masterPairs({
        prefix: 'mysql/master',
        alias: 'main',
        master: { Hostname: 'db-1.example.com', Port: 3306 },
        addresses: { ipv4: '10.0.0.5', ipv6: 'fd00::5' },
      }),
    ).toEqual([
      { Key: 'mysql/master/main', Value: 'db-1.example.com:3306' },
      { Key: 'mysql/master/main/hostname', Value: 'db-1.example.com' },
      { Key: 'mysql/master/main/port', Value: '3306' },
      { Key: 'mysql/master/main/ipv4', Value: '10.0.0.5' },
      { Key: 'mysql/master/main/ipv6', Value: 'fd00::5' },
    ]);
  });

  it('writes empty address keys when a family did not resolve, and leaves them out when addresses are null', () => {
    const master = { Hostname: 'db1', Port: 3307 };
    expect(masterPairs({ prefix: 'mysql/master', alias: 'c', master }).slice(3)).toEqual([
      { Key: 'mysql/master/c/ipv4', Value: '' },
      { Key: 'mysql/master/c/ipv6', Value: '' },
    ]);
    expect(masterPairs({ prefix: 'mysql/master', alias: 'c', master, addresses: null })).toHaveLength(3);
  });

  it('yields nothing for an empty alias', () => {
    expect(masterPairs({ prefix: 'mysql/master', alias: '', master: { Hostname: 'h', Port: 1 } })).toEqual(
      [],
    );
  });
});

describe('clusterMasterKey', () => {
  it.each([
    ['mysql/master', 'mysql/master/main'],
    ['mysql/master/', 'mysql/master/main'],
    ['mysql/master///', 'mysql/master/main'],
    ['/', '/main'],
    ['', '/main'],
    ['/services/db', '/services/db/main'],
  ])('prefix %j → %j (the reference keeps one trailing slash, and "/" as is)', (prefix, key) => {
    expect(clusterMasterKey(prefix, 'main')).toBe(key);
  });
});

describe('clusterGroupOf', () => {
  it('maps every key of a cluster to its master key', () => {
    for (const k of ['mysql/master/main', 'mysql/master/main/port', 'mysql/master/main/ipv6']) {
      expect(clusterGroupOf('mysql/master', k)).toBe('mysql/master/main');
    }
    expect(clusterGroupOf('mysql/master', 'other/key')).toBe('other/key');
  });
});
