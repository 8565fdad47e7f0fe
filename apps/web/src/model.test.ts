import { describe, expect, it } from 'vitest';
import { apiBaseFor } from './api';
import {
  buildTree,
  clusterMaster,
  type Instance,
  instanceBadges,
  parseKey,
  problemsByCluster,
} from './model';
import { href, parseRoute } from './routes';
import { inst } from './testing/fixtures';

const ports = (nodes: ReturnType<typeof buildTree>): unknown =>
  nodes.map((n) => [n.instance.Key.Port, ports(n.children)]);

describe('buildTree', () => {
  it('puts the master at the root, intermediate masters under it, sorted by port', () => {
    const tree = buildTree([inst(3, 1), inst(1, null), inst(4, 2), inst(2, 1)]);
    expect(ports(tree)).toEqual([
      [
        1,
        [
          [2, [[4, []]]],
          [3, []],
        ],
      ],
    ]);
    expect(clusterMaster([inst(3, 1), inst(1, null), inst(2, 1)])?.Key.Port).toBe(1);
  });

  it('shows replicas of an unknown master as roots after the master', () => {
    const tree = buildTree([inst(5, 99), inst(1, null), inst(2, 1)]);
    expect(ports(tree)).toEqual([
      [1, [[2, []]]],
      [5, []],
    ]);
  });

  it('shows every co-master once', () => {
    const tree = buildTree([inst(1, 2), inst(2, 1), inst(3, 1)]);
    expect(ports(tree)).toEqual([
      [
        1,
        [
          [2, []],
          [3, []],
        ],
      ],
    ]);
  });
});

describe('instanceBadges', () => {
  const labels = (i: Instance, m = false) => instanceBadges(i, m).map((b) => b.label);

  it('a healthy replica replicates, read_only, MariaDB GTID, version', () => {
    expect(labels(inst(2, 1))).toEqual([
      'replicating, 0s lag',
      'read_only',
      'MariaDB GTID',
      '11.8.3-MariaDB',
    ]);
  });

  it('lagging with seconds above the threshold', () => {
    const i = inst(2, 1, { ReplicationLagSeconds: { Int64: 42, Valid: true } });
    expect(labels(i)[0]).toBe('lagging 42s');
  });

  it('broken with the error, downtimed with the reason, maintenance, promotion rule', () => {
    const i = inst(2, 1, {
      ReplicationIOThreadRuning: false,
      LastIOError: 'error connecting to master',
      IsDowntimed: true,
      DowntimeReason: 'upgrade',
      PromotionRule: 'prefer',
    });
    const badges = instanceBadges(i, true);
    expect(badges.map((b) => b.label)).toEqual([
      'broken',
      'downtimed',
      'in maintenance',
      'read_only',
      'MariaDB GTID',
      '11.8.3-MariaDB',
      'promotion: prefer',
    ]);
    expect(badges[0]?.detail).toBe('error connecting to master');
    expect(badges[1]?.detail).toContain('upgrade');
  });

  it('an unreachable master, a writable replica', () => {
    expect(labels(inst(1, null, { IsLastCheckValid: false })).slice(0, 2)).toEqual([
      'unreachable',
      'writable',
    ]);
    expect(labels(inst(1, null, { ReadOnly: true }))[0]).toBe('read_only');
    expect(labels(inst(2, 1, { ReadOnly: false }))).toContain('writable');
  });
});

describe('helpers', () => {
  it('parses host:port', () => {
    expect(parseKey('db1:3306')).toEqual({ Hostname: 'db1', Port: 3306 });
    expect(parseKey('db1')).toBeNull();
    expect(parseKey('db1:70000')).toBeNull();
  });

  it('counts problems per cluster, ignoring NoProblem', () => {
    const entry = (cluster: string, analysis: string) => ({
      AnalyzedInstanceKey: { Hostname: 'h', Port: 1 },
      ClusterDetails: { ClusterName: cluster, ClusterAlias: cluster },
      Analysis: analysis,
      Description: '',
      IsDowntimed: false,
      CountReplicas: 0,
    });
    const map = problemsByCluster([
      entry('a', 'DeadMaster'),
      entry('a', 'NoProblem'),
      entry('b', 'NoProblem'),
    ]);
    expect([...map.keys()]).toEqual(['a']);
  });

  it('derives the API base from the page path (URLPrefix)', () => {
    expect(apiBaseFor('/web/')).toBe('/api');
    expect(apiBaseFor('/orc/web/')).toBe('/orc/api');
    expect(apiBaseFor('/orc/web/index.html')).toBe('/orc/api');
  });

  it('routes round-trip through the hash', () => {
    const key = { Hostname: '127.0.0.1', Port: 3306 };
    expect(parseRoute(href({ page: 'instance', key }))).toEqual({ page: 'instance', key });
    expect(parseRoute(href({ page: 'cluster', name: '127.0.0.1:3306' }))).toEqual({
      page: 'cluster',
      name: '127.0.0.1:3306',
    });
    expect(parseRoute(href({ page: 'search', query: 'db 1/2:3306' }))).toEqual({
      page: 'search',
      query: 'db 1/2:3306',
    });
    expect(parseRoute('#/search')).toEqual({ page: 'search', query: '' });
    expect(parseRoute(href({ page: 'recovery', uid: 'a1:b/2' }))).toEqual({
      page: 'recovery',
      uid: 'a1:b/2',
    });
    expect(parseRoute('')).toEqual({ page: 'clusters' });
    expect(parseRoute('#/nope').page).toBe('not-found');
  });
});
