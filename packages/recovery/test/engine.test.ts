// Engine behaviour that needs no MySQL: gates, detection registration and its hooks, blocking,
// manual refusals and acknowledgements. The MySQL port is a stub that fails if it is ever used.
import { describe, expect, it } from 'vitest';
import { createRecoveryEngine } from '../src/engine.js';
import type { HookRunner } from '../src/hooks.js';
import type { MySQLOperations } from '../src/mysql/operations.js';
import type { RecoveryReads, RecoveryRecord } from '../src/types.js';
import { entry, key } from './fixtures.js';

const untouchable = new Proxy(
  {},
  {
    get: () => () => {
      throw new Error('MySQL must not be used here');
    },
  },
) as unknown as MySQLOperations;

function setup(
  over: {
    reads?: Partial<RecoveryReads>;
    leader?: boolean;
    hookExit?: number;
    config?: object;
    detectionId?: number;
  } = {},
) {
  const published: { op: string; value: unknown }[] = [];
  const hookCalls: string[] = [];
  const blocked: number[] = [];
  const logged: { message: string; fields?: Record<string, unknown> }[] = [];
  const hooks: HookRunner = {
    run: async (list, templates) => {
      hookCalls.push(list);
      return templates.map((command) => ({
        list,
        command,
        async: false,
        exitCode: over.hookExit ?? 0,
        signal: null,
        timedOut: false,
        durationMs: 1,
        outputTail: '',
      }));
    },
  };
  let now = Date.parse('2026-01-01T00:00:00Z');
  const engine = createRecoveryEngine({
    config: {
      RecoverMasterClusterFilters: ['*'],
      OnFailureDetectionProcesses: ['notify {failedHost}'],
      ...over.config,
    },
    node: { hostname: 'orc1', token: 't1' },
    leadership: { isLeaderWithQuorum: () => over.leader ?? true },
    publish: async (op, value) => {
      published.push({ op, value });
      // the FSM's answer to a registration: the detection_id it assigned
      return op === 'register-failure-detection' && over.detectionId
        ? { registered: true, id: over.detectionId }
        : null;
    },
    reads: {
      clusterInstances: async () => [],
      instance: async () => null,
      candidates: async () => [],
      activeRecoveries: async () => [],
      activeDetections: async () => [],
      isGlobalRecoveryDisabled: async () => false,
      ...over.reads,
    },
    mysql: untouchable,
    hooks,
    clock: { now: () => now },
    recordBlocked: (_e, id) => {
      blocked.push(id);
    },
    log: (message, fields) => logged.push({ message, fields }),
  });
  now += 3600_000;
  return { engine, published, hookCalls, blocked, logged };
}

const running: RecoveryRecord = {
  Id: 9,
  UID: 'u9',
  AnalysisEntry: entry(),
  SuccessorKey: null,
  IsActive: true,
  IsSuccessful: false,
  Acknowledged: false,
  RecoveryStartTimestamp: '2026-01-01T00:30:00.000Z',
  RecoveryEndTimestamp: '',
  ProcessingNodeHostname: 'orc0',
  ProcessingNodeToken: 't0',
};

describe('engine gates', () => {
  it('does nothing on a follower', async () => {
    const { engine, published } = setup({ leader: false });
    expect(await engine.onAnalysis([entry()])).toMatchObject([
      { outcome: 'skipped', reason: 'not the raft leader' },
    ]);
    expect(published).toEqual([]);
    await expect(engine.recover(entry())).rejects.toMatchObject({ code: 'NOT_LEADER' });
    await expect(engine.acknowledge({ owner: 'o', comment: 'c', all: true })).rejects.toMatchObject({
      code: 'NOT_LEADER',
    });
  });

  it('registers a detection and runs OnFailureDetectionProcesses even when recoveries are disabled', async () => {
    const { engine, published, hookCalls } = setup({ reads: { isGlobalRecoveryDisabled: async () => true } });
    expect(await engine.onAnalysis([entry()])).toMatchObject([
      { outcome: 'skipped', reason: 'recoveries are globally disabled' },
    ]);
    expect(published.map((p) => p.op)).toEqual(['register-failure-detection', 'write-recovery-step']);
    expect(hookCalls).toEqual(['OnFailureDetectionProcesses']);
  });

  it('logs every hook run as one line with the recovery and the hook as fields', async () => {
    const { engine, logged } = setup({ reads: { isGlobalRecoveryDisabled: async () => true } });
    await engine.onAnalysis([entry()]);
    const hookLines = logged.filter((l) => l.fields?.event === 'hook');
    expect(hookLines).toHaveLength(1);
    expect(hookLines[0]?.fields).toMatchObject({
      hookList: 'OnFailureDetectionProcesses',
      command: 'notify {failedHost}',
      exitCode: 0,
      timedOut: false,
      durationMs: 1,
      analysis: entry().Analysis,
      instance: `${entry().AnalyzedInstanceKey.Hostname}:${entry().AnalyzedInstanceKey.Port}`,
    });
    expect(typeof hookLines[0]?.fields?.recoveryUID).toBe('string');
  });

  it('a failing OnFailureDetectionProcesses stops the recovery', async () => {
    const { engine, published } = setup({ hookExit: 2 });
    expect(await engine.onAnalysis([entry()])).toMatchObject([
      { outcome: 'skipped', reason: 'OnFailureDetectionProcesses failed' },
    ]);
    expect(published.some((p) => p.op === 'write-recovery')).toBe(false);
  });

  it('the recovery records the id of the detection registered for it', async () => {
    const { engine, published } = setup({ detectionId: 7 });
    await engine.onAnalysis([entry()]);
    const written = published.find((p) => p.op === 'write-recovery');
    expect(written?.value).toMatchObject({ LastDetectionId: 7 });
  });

  it('a detection already active (no new registration) is the one the recovery records', async () => {
    const active = (id: number, port: number) => ({
      Id: id,
      Key: key(port),
      Analysis: 'DeadMaster',
      ClusterName: 'c',
      StartActivePeriod: '2026-01-01T00:59:00.000Z',
      Acknowledged: false,
    });
    const { engine, published } = setup({
      reads: { activeDetections: async () => [active(3, 3306), active(5, 3306), active(9, 3399)] },
    });
    await engine.onAnalysis([entry()]);
    expect(published.some((p) => p.op === 'register-failure-detection')).toBe(false);
    const written = published.find((p) => p.op === 'write-recovery');
    expect(written?.value).toMatchObject({ LastDetectionId: 5 });
  });

  it('a manual recovery records the active detection of its instance', async () => {
    const detection = {
      Id: 4,
      Key: key(3306),
      Analysis: 'DeadMaster',
      ClusterName: 'c',
      StartActivePeriod: '2026-01-01T00:59:00.000Z',
      Acknowledged: false,
    };
    const { engine, published } = setup({ reads: { activeDetections: async () => [detection] } });
    await engine.recover(entry()).catch(() => undefined);
    const written = published.find((p) => p.op === 'write-recovery');
    expect(written?.value).toMatchObject({ LastDetectionId: 4 });
  });

  it('records a blocked recovery', async () => {
    const { engine, blocked, published } = setup({ reads: { activeRecoveries: async () => [running] } });
    expect(await engine.onAnalysis([entry()])).toMatchObject([{ outcome: 'blocked' }]);
    expect(blocked).toEqual([9]);
    expect(published.some((p) => p.op === 'write-recovery')).toBe(false);
  });

  it('ignores codes without a recovery and skips non-matching clusters', async () => {
    const { engine } = setup({ config: { RecoverMasterClusterFilters: ['other'] } });
    expect(await engine.onAnalysis([entry({ Analysis: 'UnreachableMaster' })])).toEqual([]);
    expect(await engine.onAnalysis([entry()])).toMatchObject([
      { outcome: 'skipped', reason: 'cluster does not match RecoverMasterClusterFilters' },
    ]);
  });

  it('manual recover refuses while a recovery runs on the instance, and unknown codes', async () => {
    const { engine } = setup({ reads: { activeRecoveries: async () => [running] } });
    await expect(engine.recover(entry())).rejects.toMatchObject({ code: 'RECOVERY_BLOCKED' });
    await expect(engine.recover(entry({ Analysis: 'NoProblem' }))).rejects.toMatchObject({
      code: 'RECOVERY_REFUSED',
    });
  });

  it('acknowledges with a comment through raft', async () => {
    const { engine, published } = setup();
    await expect(engine.acknowledge({ owner: 'o', comment: ' ', all: true })).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
    });
    await engine.acknowledge({ owner: 'alice', comment: 'looked at it', key: key(3306) });
    expect(published).toMatchObject([
      {
        op: 'ack-recovery',
        value: { Owner: 'alice', Comment: 'looked at it', Key: key(3306), AllRecoveries: false },
      },
    ]);
  });
});

describe('engine robustness', () => {
  it('never rejects into the analysis loop when raft refuses a proposal', async () => {
    const engine = createRecoveryEngine({
      config: { RecoverMasterClusterFilters: ['*'], RecoveryWarmupSeconds: 0.001 },
      node: { hostname: 'orc1', token: 't1' },
      leadership: { isLeaderWithQuorum: () => true },
      publish: async () => {
        throw new Error('raft: apply timed out');
      },
      reads: {
        clusterInstances: async () => [],
        instance: async () => null,
        candidates: async () => [],
        activeRecoveries: async () => [],
        activeDetections: async () => [],
        isGlobalRecoveryDisabled: async () => false,
      },
      mysql: untouchable,
    });
    await new Promise((r) => setTimeout(r, 5));
    expect(await engine.onAnalysis([entry()])).toMatchObject([
      { outcome: 'skipped', reason: 'error: raft: apply timed out' },
    ]);
    expect(engine.running()).toEqual([]);
  });
});
