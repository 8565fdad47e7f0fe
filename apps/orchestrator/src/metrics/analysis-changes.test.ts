import { describe, expect, it } from 'vitest';
import { analysisChanges } from './analysis-changes.js';

const entry = (host: string, code: string) => ({
  AnalyzedInstanceKey: { Hostname: host, Port: 3306 },
  Analysis: code as never,
  ClusterDetails: { ClusterName: 'c1:3306' } as never,
  Description: `${code} on ${host}`,
});

describe('analysisChanges', () => {
  it('reports a problem once when it appears, and once when it clears', () => {
    const first = analysisChanges(new Map(), [entry('db1', 'DeadMaster'), entry('db2', 'NoProblem')]);
    expect(first.detected).toEqual([
      {
        key: 'db1:3306 DeadMaster',
        code: 'DeadMaster',
        instance: 'db1:3306',
        cluster: 'c1:3306',
        description: 'DeadMaster on db1',
      },
    ]);
    expect(first.cleared).toEqual([]);
    const again = analysisChanges(first.current, [entry('db1', 'DeadMaster')]);
    expect(again.detected).toEqual([]);
    const gone = analysisChanges(again.current, []);
    expect(gone.cleared).toEqual([{ instance: 'db1:3306', code: 'DeadMaster' }]);
    expect(gone.current.size).toBe(0);
  });

  it('treats a new code on the same instance as a new detection and the old one as cleared', () => {
    const first = analysisChanges(new Map(), [entry('db1', 'UnreachableMaster')]);
    const next = analysisChanges(first.current, [entry('db1', 'DeadMaster'), entry('db1', 'DeadMaster')]);
    expect(next.detected.map((d) => d.code)).toEqual(['DeadMaster']);
    expect(next.cleared).toEqual([{ instance: 'db1:3306', code: 'UnreachableMaster' }]);
  });
});
