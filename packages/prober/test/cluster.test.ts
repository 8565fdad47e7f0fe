import { describe, expect, it } from 'vitest';
import { deriveClusterFields, withClusterFields } from '../src/analysis/cluster.js';
import { inst } from './fixtures.js';

describe('deriveClusterFields', () => {
  it('names the cluster after the top master and counts depth', () => {
    const f = deriveClusterFields([inst(1), inst(2, { master: 1 }), inst(4, { master: 2 })]);
    expect(f.get('h:4')).toMatchObject({ ClusterName: 'h:1', ReplicationDepth: 2, IsCoMaster: false });
    expect(f.get('h:1')).toMatchObject({ ClusterName: 'h:1', ReplicationDepth: 0 });
  });

  it('detects co-masters and gives the ring a stable name', () => {
    const f = deriveClusterFields([inst(1, { master: 2 }), inst(2, { master: 1 }), inst(3, { master: 2 })]);
    expect(f.get('h:1')).toMatchObject({ ClusterName: 'h:1', IsCoMaster: true, ReplicationDepth: 0 });
    expect(f.get('h:2')).toMatchObject({ ClusterName: 'h:1', IsCoMaster: true });
    expect(f.get('h:3')).toMatchObject({ ClusterName: 'h:1', IsCoMaster: false, ReplicationDepth: 1 });
  });

  it('an instance whose master is unknown names its own cluster', () => {
    const f = deriveClusterFields([inst(5, { master: 9 })]);
    expect(f.get('h:5')).toMatchObject({ ClusterName: 'h:5', ReplicationDepth: 0 });
  });

  it('withClusterFields copies instead of mutating', () => {
    const input = [inst(1), inst(2, { master: 1 })];
    const out = withClusterFields(input);
    expect(out[1]?.ClusterName).toBe('h:1');
    expect(input[1]?.ClusterName).toBe('');
  });
});
