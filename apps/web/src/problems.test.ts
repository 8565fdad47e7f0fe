import { describe, expect, it } from 'vitest';
import type { AnalysisEntry, ClusterInfo } from './model';
import { groupProblems, instanceProblems } from './problems';
import { inst } from './testing/fixtures';

const info = (name: string, alias: string): ClusterInfo => ({
  ClusterName: name,
  ClusterAlias: alias,
  CountInstances: 1,
  HasAutomatedMasterRecovery: true,
  HasAutomatedIntermediateMasterRecovery: true,
});
const analysis = (port: number, cluster: string, what: string): AnalysisEntry => ({
  AnalyzedInstanceKey: { Hostname: 'h', Port: port },
  ClusterDetails: { ClusterName: cluster, ClusterAlias: '' },
  Analysis: what,
  Description: '',
  IsDowntimed: false,
  CountReplicas: 0,
});

describe('groupProblems', () => {
  it('groups analysis and instance problems by cluster, most problems first, every cluster listed', () => {
    const groups = groupProblems(
      [info('h:1', 'orders'), info('h:5', 'billing'), info('h:9', 'quiet')],
      [analysis(5, 'h:5', 'AllMasterReplicasNotReplicating'), analysis(1, 'h:1', 'NoProblem')],
      [
        inst(6, 5, { ClusterName: 'h:5', Problems: ['not_replicating', 'errant_gtid'] }),
        inst(2, 1, { ClusterName: 'h:1', Problems: ['replication_lag'], IsDowntimed: true }),
        inst(3, 1, { ClusterName: 'h:1', Problems: [] }),
      ],
    );
    expect(groups.map((g) => [g.alias, g.count])).toEqual([
      ['billing', 3],
      ['orders', 1],
      ['quiet', 0],
    ]);
    expect(groups[0]?.analysis.map((a) => a.Analysis)).toEqual(['AllMasterReplicasNotReplicating']);
    expect(groups[0]?.instances).toEqual([
      { key: 'h:6', problems: ['errant_gtid', 'not_replicating'], isDowntimed: false },
    ]);
    expect(groups[1]?.instances).toEqual([{ key: 'h:2', problems: ['replication_lag'], isDowntimed: true }]);
  });

  it('keeps problems of a cluster that clusters-info does not list yet', () => {
    const groups = groupProblems([], [analysis(7, 'h:7', 'DeadMaster')], []);
    expect(groups).toHaveLength(1);
    expect(groups[0]).toMatchObject({ cluster: 'h:7', alias: 'h:7', count: 1 });
  });
});

describe('instanceProblems', () => {
  it("derives the reference's names when the API sends none", () => {
    expect(instanceProblems(inst(2, 1))).toEqual([]);
    expect(instanceProblems(inst(1, null))).toEqual([]); // a master does not replicate
    expect(instanceProblems(inst(2, 1, { ReplicationIOThreadRuning: false }))).toEqual(['not_replicating']);
    expect(instanceProblems(inst(2, 1, { IsLastCheckValid: false, GtidErrant: 'x-1-5' }))).toEqual([
      'last_check_invalid',
      'errant_gtid',
    ]);
    expect(instanceProblems(inst(2, 1, { IsRecentlyChecked: false }))).toEqual(['not_recently_checked']);
    const lagging = { ReplicationLagSeconds: { Int64: 40, Valid: true } };
    expect(instanceProblems(inst(2, 1, lagging))).toEqual(['replication_lag']);
    expect(instanceProblems(inst(2, 1, { ...lagging, SQLDelay: 35 }))).toEqual([]); // delayed on purpose
    expect(instanceProblems(inst(2, 1, { Problems: ['from_the_api'] }))).toEqual(['from_the_api']);
  });
});
