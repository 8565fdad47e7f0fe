import { describe, expect, it } from 'vitest';
import type { ClusterInfo } from './model';
import { parseQuery, searchInstances } from './search';
import { inst } from './testing/fixtures';

const at = (host: string, port: number, cluster: string) =>
  inst(port, null, { Key: { Hostname: host, Port: port }, ClusterName: cluster });
const instances = [
  at('db-a1.example', 3306, 'db-a1.example:3306'),
  at('db-a2.example', 3306, 'db-a1.example:3306'),
  at('db-b1.example', 3307, 'db-b1.example:3307'),
  at('10.0.0.12', 13306, 'db-b1.example:3307'),
];
const clusters: ClusterInfo[] = [
  { ClusterName: 'db-a1.example:3306', ClusterAlias: 'orders', CountInstances: 2 },
  { ClusterName: 'db-b1.example:3307', ClusterAlias: 'billing', CountInstances: 2 },
].map((c) => ({ ...c, HasAutomatedMasterRecovery: true, HasAutomatedIntermediateMasterRecovery: true }));
const found = (q: string) =>
  searchInstances(q, instances, clusters).map((h) => `${h.instance.Key.Hostname}:${h.instance.Key.Port}`);

describe('searchInstances', () => {
  it('finds by host part or cluster name, across clusters, sorted by alias then host', () => {
    expect(found('example')).toEqual([
      '10.0.0.12:13306', // in cluster db-b1.example:3307
      'db-b1.example:3307',
      'db-a1.example:3306',
      'db-a2.example:3306',
    ]);
    expect(searchInstances('example', instances, clusters)[0]?.matched).toEqual(['cluster']);
    expect(found('A2')).toEqual(['db-a2.example:3306']);
  });

  it('finds by port, host:port and :port', () => {
    expect(found('3307')).toEqual(['db-b1.example:3307']);
    expect(found('db-a2.example:3306')).toEqual(['db-a2.example:3306']);
    expect(found(':3306')).toEqual(['db-a1.example:3306', 'db-a2.example:3306']);
    expect(found('12')).toEqual(['10.0.0.12:13306']); // a number is also part of a host name
  });

  it('finds every instance of a cluster by its alias, and says what matched', () => {
    const hits = searchInstances('Billing', instances, clusters);
    expect(hits.map((h) => h.instance.Key.Port)).toEqual([13306, 3307]);
    expect(hits[0]).toMatchObject({ alias: 'billing', cluster: 'db-b1.example:3307', matched: ['alias'] });
  });

  it('needs every term to match; an empty query finds nothing', () => {
    expect(found('orders a2')).toEqual(['db-a2.example:3306']);
    expect(found('orders 3307')).toEqual([]);
    expect(found('   ')).toEqual([]);
    expect(found('nothing-like-this')).toEqual([]);
  });

  it('parses the query into terms', () => {
    expect(parseQuery(' Db1:3306  77 x ')).toEqual([
      { kind: 'key', host: 'db1', port: 3306 },
      { kind: 'port', port: 77, text: '77' },
      { kind: 'text', text: 'x' },
    ]);
  });
});
