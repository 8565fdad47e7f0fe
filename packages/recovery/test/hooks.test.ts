import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  createHookRunner,
  type HookData,
  hookEnvironment,
  renderHookCommand,
  runShellCommand,
  shellQuote,
} from '../src/hooks.js';
import { key } from './fixtures.js';

const dir = mkdtempSync(join(tmpdir(), 'recovery-hooks-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function data(over: Partial<HookData> = {}): HookData {
  return {
    failureType: 'DeadMaster',
    instanceType: 'master',
    isMaster: true,
    isCoMaster: false,
    failureDescription: 'Master cannot be reached by orchestrator and none of its replicas is replicating',
    command: '',
    failedHost: 'db1.example',
    failedPort: 3306,
    failureCluster: 'db1.example:3306',
    failureClusterAlias: 'main',
    failureClusterDomain: '',
    countReplicas: 2,
    isDowntimed: false,
    autoMasterRecovery: true,
    autoIntermediateMasterRecovery: false,
    orchestratorHost: 'orc1',
    recoveryUID: 'uid-1',
    isSuccessful: true,
    lostReplicas: [key(3309, 'db9.example')],
    replicaHosts: [key(3306, 'db2.example'), key(3306, 'db3.example')],
    successor: { key: key(3306, 'db2.example'), alias: 'db2', binlogCoordinates: 'bin.000002:1234' },
    ...over,
  };
}

const opts = { shell: 'bash', timeoutMs: 5000 };

describe('shellQuote and placeholders', () => {
  it.each([
    ['db1.example', 'db1.example'],
    ['', "''"],
    ['a b', "'a b'"],
    ["x'y", `'x'\\''y'`],
    ['$(id)', "'$(id)'"],
  ])('%j → %s', (value, quoted) => expect(shellQuote(value)).toBe(quoted));

  it('replaces every placeholder and leaves unknown braces alone', () => {
    const t =
      '{failureType} {instanceType} {isMaster} {isCoMaster} {command} {failedHost} {failedPort} {failureCluster} {failureClusterAlias} {failureClusterDomain} {countSlaves} {countReplicas} {isDowntimed} {autoMasterRecovery} {autoIntermediateMasterRecovery} {orchestratorHost} {recoveryUID} {isSuccessful} {lostSlaves} {lostReplicas} {countLostReplicas} {slaveHosts} {replicaHosts} {successorHost} {successorPort} {successorBinlogCoordinates} {successorAlias} {unknown}';
    expect(renderHookCommand(t, data())).toBe(
      "DeadMaster master true false '' db1.example 3306 db1.example:3306 main '' 2 2 false true false orc1 uid-1 true db9.example:3309 db9.example:3309 1 db2.example:3306,db3.example:3306 db2.example:3306,db3.example:3306 db2.example 3306 bin.000002:1234 db2 {unknown}",
    );
    expect(renderHookCommand('{failureDescription}', data())).toMatch(/^'Master cannot/);
    expect(renderHookCommand('{successorHost}', data({ successor: null }))).toBe('{successorHost}');
  });

  it('builds the ORC_* environment', () => {
    const env = hookEnvironment(data());
    expect(env).toMatchObject({
      ORC_FAILURE_TYPE: 'DeadMaster',
      ORC_FAILED_HOST: 'db1.example',
      ORC_FAILED_PORT: '3306',
      ORC_COUNT_REPLICAS: '2',
      ORC_LOST_REPLICAS: 'db9.example:3309',
      ORC_REPLICA_HOSTS: 'db2.example:3306,db3.example:3306',
      ORC_RECOVERY_UID: 'uid-1',
      ORC_SUCCESSOR_HOST: 'db2.example',
      ORC_SUCCESSOR_PORT: '3306',
      ORC_SUCCESSOR_ALIAS: 'db2',
      ORC_IS_SUCCESSFUL: 'true',
    });
    expect(Object.keys(env)).toHaveLength(24);
    expect(hookEnvironment(data({ successor: null })).ORC_SUCCESSOR_HOST).toBeUndefined();
  });
});

describe('conformance with the reference (§5.5)', () => {
  it('offers exactly the reference ORC_* variables, successor ones only with a successor', () => {
    const always = [
      'ORC_FAILURE_TYPE',
      'ORC_INSTANCE_TYPE',
      'ORC_IS_MASTER',
      'ORC_IS_CO_MASTER',
      'ORC_FAILURE_DESCRIPTION',
      'ORC_COMMAND',
      'ORC_FAILED_HOST',
      'ORC_FAILED_PORT',
      'ORC_FAILURE_CLUSTER',
      'ORC_FAILURE_CLUSTER_ALIAS',
      'ORC_FAILURE_CLUSTER_DOMAIN',
      'ORC_COUNT_REPLICAS',
      'ORC_IS_DOWNTIMED',
      'ORC_AUTO_MASTER_RECOVERY',
      'ORC_AUTO_INTERMEDIATE_MASTER_RECOVERY',
      'ORC_ORCHESTRATOR_HOST',
      'ORC_IS_SUCCESSFUL',
      'ORC_LOST_REPLICAS',
      'ORC_REPLICA_HOSTS',
      'ORC_RECOVERY_UID',
    ];
    const successor = [
      'ORC_SUCCESSOR_HOST',
      'ORC_SUCCESSOR_PORT',
      'ORC_SUCCESSOR_BINLOG_COORDINATES',
      'ORC_SUCCESSOR_ALIAS',
    ];
    expect(Object.keys(hookEnvironment(data({ successor: null }))).sort()).toEqual([...always].sort());
    expect(Object.keys(hookEnvironment(data())).sort()).toEqual([...always, ...successor].sort());
  });

  it('renders every reference placeholder (none is left as written when there is a successor)', () => {
    const names =
      'failureType instanceType isMaster isCoMaster failureDescription command failedHost failedPort failureCluster failureClusterAlias failureClusterDomain countSlaves countReplicas isDowntimed autoMasterRecovery autoIntermediateMasterRecovery orchestratorHost recoveryUID isSuccessful lostSlaves lostReplicas countLostReplicas slaveHosts replicaHosts successorHost successorPort successorBinlogCoordinates successorAlias'.split(
        ' ',
      );
    for (const name of names) expect(renderHookCommand(`{${name}}`, data()), name).not.toBe(`{${name}}`);
  });
});

describe('running hooks with bash', () => {
  it('a malicious hostname cannot inject a command', async () => {
    const marker = join(dir, 'pwned');
    const evil = `x'; touch ${marker}; echo '`;
    for (const template of ['echo {failedHost}', "echo '{failedHost}'", 'echo "{failedHost}"']) {
      const rendered = renderHookCommand(template, data({ failedHost: evil }));
      await runShellCommand('PreFailoverProcesses', rendered, {}, opts);
    }
    const also = renderHookCommand(
      'echo {failedHost}',
      data({ failedHost: `$(touch ${marker})\`touch ${marker}\`` }),
    );
    const run = await runShellCommand('PreFailoverProcesses', also, {}, opts);
    expect(existsSync(marker)).toBe(false);
    expect(run.outputTail.trim()).toBe(`$(touch ${marker})\`touch ${marker}\``);
    const plain = await runShellCommand(
      'PreFailoverProcesses',
      renderHookCommand('echo {failedHost}', data({ failedHost: evil })),
      {},
      opts,
    );
    expect(plain.outputTail.trim()).toBe(evil);
  });

  it('passes the environment, records exit codes and output tails', async () => {
    const runner = createHookRunner(opts);
    const runs = await runner.run(
      'PostFailoverProcesses',
      ['echo "$ORC_FAILED_HOST:$ORC_SUCCESSOR_PORT"', 'echo oops >&2; exit 4', 'echo after'],
      data(),
    );
    expect(runs.map((r) => [r.exitCode, r.outputTail.trim()])).toEqual([
      [0, 'db1.example:3306'],
      [4, 'oops'],
      [0, 'after'],
    ]);
  });

  it('stops an aborting list at the first failure', async () => {
    const runner = createHookRunner(opts);
    const runs = await runner.run('PreFailoverProcesses', ['exit 1', 'echo never'], data());
    expect(runs).toHaveLength(1);
    expect(runs[0]?.exitCode).toBe(1);
  });

  it('runs a trailing & asynchronously and ignores its exit code', async () => {
    const file = join(dir, 'async-done');
    const runner = createHookRunner(opts);
    const runs = await runner.run(
      'PreFailoverProcesses',
      [`sleep 0.2; echo done > ${file}; exit 9 &`, 'echo next'],
      data(),
    );
    expect(runs.map((r) => r.async)).toEqual([true, false]);
    expect(runs[1]?.exitCode).toBe(0);
    for (let i = 0; i < 100 && !existsSync(file); i++) await new Promise((r) => setTimeout(r, 20));
    expect(readFileSync(file, 'utf8').trim()).toBe('done');
  });

  it('kills a hook that exceeds the timeout', async () => {
    const run = await runShellCommand(
      'PostFailoverProcesses',
      'sleep 5; echo late',
      {},
      { shell: 'bash', timeoutMs: 200 },
    );
    expect(run.timedOut).toBe(true);
    expect(run.exitCode).not.toBe(0);
    expect(run.outputTail).not.toContain('late');
  });
});
