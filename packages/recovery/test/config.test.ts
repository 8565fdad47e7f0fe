import { describe, expect, it } from 'vitest';
import {
  recoveryBlockSeconds,
  resolveRecoveryConfig,
  validateRecoveryConfig,
  warmupSeconds,
} from '../src/config.js';

describe('recovery config', () => {
  it('has orchestrator defaults', () => {
    const c = resolveRecoveryConfig();
    expect(c).toMatchObject({
      RecoveryPeriodBlockSeconds: 3600,
      FailureDetectionPeriodBlockMinutes: 60,
      CandidateInstanceExpireMinutes: 60,
      LostInRecoveryDowntimeSeconds: 31_536_000,
      ApplyMySQLPromotionAfterMasterFailover: true,
      DetachLostReplicasAfterMasterFailover: true,
      KVClusterMasterPrefix: 'mysql/master',
      ProcessesShellCommand: 'bash',
    });
    expect(validateRecoveryConfig(c)).toEqual([]);
  });
  it('uses the legacy minutes only when the seconds key is 0, and 3 × InstancePollSeconds warm-up', () => {
    expect(
      recoveryBlockSeconds(
        resolveRecoveryConfig({ RecoveryPeriodBlockSeconds: 0, RecoveryPeriodBlockMinutes: 2 }),
      ),
    ).toBe(120);
    expect(recoveryBlockSeconds(resolveRecoveryConfig({ RecoveryPeriodBlockSeconds: 30 }))).toBe(30);
    expect(warmupSeconds(resolveRecoveryConfig({ InstancePollSeconds: 1 }))).toBe(3);
    expect(warmupSeconds(resolveRecoveryConfig({ RecoveryWarmupSeconds: 7 }))).toBe(7);
  });
  it('reports every problem, naming the key', () => {
    const problems = validateRecoveryConfig(
      resolveRecoveryConfig({
        HookTimeoutSeconds: -1,
        RecoverMasterClusterFilters: ['alias~=(', 'ok'],
        ProcessesShellCommand: ' ',
      }),
    );
    expect(problems).toEqual([
      'HookTimeoutSeconds must be a non-negative number, got -1',
      'RecoverMasterClusterFilters has an invalid regular expression: "alias~=("',
      'ProcessesShellCommand must not be empty',
    ]);
  });
});
