// Validation of the KV keys: every problem names its key.
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_KV_CONFIG,
  type KVConfig,
  parseEtcdEndpoint,
  parseZkAddress,
  validateKVConfig,
} from './config.js';
import { openKVStores } from './open.js';

const check = (patch: Partial<KVConfig>) => validateKVConfig({ ...DEFAULT_KV_CONFIG, ...patch });

describe('ZkAddress', () => {
  it('reads srv1[:port1][,srv2[:port2]...] with 2181 as the default port', () => {
    expect(parseZkAddress('srv-a,srv-b:12181, 10.0.0.3')).toEqual({
      servers: [
        { host: 'srv-a', port: 2181 },
        { host: 'srv-b', port: 12181 },
        { host: '10.0.0.3', port: 2181 },
      ],
    });
  });

  it.each([
    ['srv-a,,srv-b', /server 2 is empty/],
    ['srv-a:0', /port "0" must be a number from 1 to 65535/],
    ['srv-a:http', /port "http"/],
    ['srv a', /not a hostname/],
    ['[::1]:2181', /IPv6 literals/],
    ['srv-a:2181/chroot', /chroot/],
  ])('%j is refused', (value, message) => {
    const problems = check({ ZkAddress: value });
    expect(problems).toHaveLength(1);
    expect(problems[0]?.key).toBe('ZkAddress');
    expect(problems[0]?.message).toMatch(message);
  });
});

describe('EtcdEndpoints', () => {
  it('accepts URLs and host:port (read as http), normalised with the port', () => {
    expect(parseEtcdEndpoint('https://etcd-1:2379')).toEqual({ url: 'https://etcd-1:2379' });
    expect(parseEtcdEndpoint('127.0.0.1:23790')).toEqual({ url: 'http://127.0.0.1:23790' });
    expect(parseEtcdEndpoint('http://etcd-2')).toEqual({ url: 'http://etcd-2:2379' });
  });

  it('names the bad entry', () => {
    const problems = check({ EtcdEndpoints: ['http://ok:2379', 'ftp://etcd:21', 'http://etcd:2379/v3'] });
    expect(problems.map((p) => p.key)).toEqual(['EtcdEndpoints[1]', 'EtcdEndpoints[2]']);
    expect(problems[0]?.message).toMatch(/scheme must be http or https/);
    expect(problems[1]?.message).toMatch(/only scheme:\/\/host:port/);
  });
});

describe('Consul keys', () => {
  it('refuses a bad address, scheme, provider and transaction size, each by name', () => {
    const problems = check({
      ConsulAddress: 'consul:99999',
      ConsulScheme: 'ftp',
      ConsulKVStoreProvider: 'zk',
      ConsulMaxKVsPerTransaction: 65,
    });
    expect(problems.map((p) => p.key)).toEqual([
      'ConsulAddress',
      'ConsulScheme',
      'ConsulKVStoreProvider',
      'ConsulMaxKVsPerTransaction',
    ]);
    expect(check({ ConsulMaxKVsPerTransaction: 4 })[0]?.message).toMatch(/from 5 .* to 64/);
  });

  it('the defaults are valid and configure no store', () => {
    expect(validateKVConfig(DEFAULT_KV_CONFIG)).toEqual([]);
    expect(openKVStores({})).toEqual([]);
  });

  it('openKVStores throws a KVConfigError naming the key', () => {
    expect(() => openKVStores({ ZkAddress: 'a,,b' })).toThrow(/ZkAddress: server 2 is empty/);
  });
});
