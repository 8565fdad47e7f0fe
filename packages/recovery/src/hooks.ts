// Hooks (reference §5.5): lists of shell commands with {placeholders} and ORC_* environment
// variables, run sequentially with ProcessesShellCommand. Values are shell-quoted before they are
// placed in the command text, so a hostname like `x';rm -rf /;'` stays one inert word.
import { spawn } from 'node:child_process';
import type { InstanceKey } from './types.js';

export type HookList =
  | 'OnFailureDetectionProcesses'
  | 'PreGracefulTakeoverProcesses'
  | 'PreFailoverProcesses'
  | 'PostMasterFailoverProcesses'
  | 'PostIntermediateMasterFailoverProcesses'
  | 'PostFailoverProcesses'
  | 'PostUnsuccessfulFailoverProcesses'
  | 'PostGracefulTakeoverProcesses'
  | 'PostTakeMasterProcesses';

/** A non-zero exit in these lists aborts the operation (reference §5.5). */
export const abortingHookLists: ReadonlySet<HookList> = new Set([
  'OnFailureDetectionProcesses',
  'PreFailoverProcesses',
  'PreGracefulTakeoverProcesses',
]);

/** Everything a hook can see about the failure and the recovery. */
export interface HookData {
  failureType: string;
  instanceType: string;
  isMaster: boolean;
  isCoMaster: boolean;
  failureDescription: string;
  command: string;
  failedHost: string;
  failedPort: number;
  failureCluster: string;
  failureClusterAlias: string;
  failureClusterDomain: string;
  countReplicas: number;
  isDowntimed: boolean;
  autoMasterRecovery: boolean;
  autoIntermediateMasterRecovery: boolean;
  orchestratorHost: string;
  recoveryUID: string;
  isSuccessful: boolean;
  lostReplicas: InstanceKey[];
  replicaHosts: InstanceKey[];
  successor: { key: InstanceKey; alias: string; binlogCoordinates: string } | null;
}

const keys = (list: InstanceKey[]) => list.map((k) => `${k.Hostname}:${k.Port}`).join(',');

/** Placeholder name → raw value (before quoting). Synonyms of orchestrator's old names included. */
export function hookValues(d: HookData): Record<string, string> {
  const values: Record<string, string> = {
    failureType: d.failureType,
    instanceType: d.instanceType,
    isMaster: String(d.isMaster),
    isCoMaster: String(d.isCoMaster),
    failureDescription: d.failureDescription,
    command: d.command,
    failedHost: d.failedHost,
    failedPort: String(d.failedPort),
    failureCluster: d.failureCluster,
    failureClusterAlias: d.failureClusterAlias,
    failureClusterDomain: d.failureClusterDomain,
    countSlaves: String(d.countReplicas),
    countReplicas: String(d.countReplicas),
    isDowntimed: String(d.isDowntimed),
    autoMasterRecovery: String(d.autoMasterRecovery),
    autoIntermediateMasterRecovery: String(d.autoIntermediateMasterRecovery),
    orchestratorHost: d.orchestratorHost,
    recoveryUID: d.recoveryUID,
    isSuccessful: String(d.isSuccessful),
    lostSlaves: keys(d.lostReplicas),
    lostReplicas: keys(d.lostReplicas),
    countLostReplicas: String(d.lostReplicas.length),
    slaveHosts: keys(d.replicaHosts),
    replicaHosts: keys(d.replicaHosts),
  };
  if (d.successor) {
    values.successorHost = d.successor.key.Hostname;
    values.successorPort = String(d.successor.key.Port);
    values.successorBinlogCoordinates = d.successor.binlogCoordinates;
    values.successorAlias = d.successor.alias;
  }
  return values;
}

/** The ORC_* environment (reference §5.5). */
export function hookEnvironment(d: HookData): Record<string, string> {
  const v = hookValues(d);
  const env: Record<string, string> = {
    ORC_FAILURE_TYPE: v.failureType ?? '',
    ORC_INSTANCE_TYPE: v.instanceType ?? '',
    ORC_IS_MASTER: v.isMaster ?? '',
    ORC_IS_CO_MASTER: v.isCoMaster ?? '',
    ORC_FAILURE_DESCRIPTION: v.failureDescription ?? '',
    ORC_COMMAND: v.command ?? '',
    ORC_FAILED_HOST: v.failedHost ?? '',
    ORC_FAILED_PORT: v.failedPort ?? '',
    ORC_FAILURE_CLUSTER: v.failureCluster ?? '',
    ORC_FAILURE_CLUSTER_ALIAS: v.failureClusterAlias ?? '',
    ORC_FAILURE_CLUSTER_DOMAIN: v.failureClusterDomain ?? '',
    ORC_COUNT_REPLICAS: v.countReplicas ?? '',
    ORC_IS_DOWNTIMED: v.isDowntimed ?? '',
    ORC_AUTO_MASTER_RECOVERY: v.autoMasterRecovery ?? '',
    ORC_AUTO_INTERMEDIATE_MASTER_RECOVERY: v.autoIntermediateMasterRecovery ?? '',
    ORC_ORCHESTRATOR_HOST: v.orchestratorHost ?? '',
    ORC_IS_SUCCESSFUL: v.isSuccessful ?? '',
    ORC_LOST_REPLICAS: v.lostReplicas ?? '',
    ORC_REPLICA_HOSTS: v.replicaHosts ?? '',
    ORC_RECOVERY_UID: v.recoveryUID ?? '',
  };
  if (d.successor) {
    env.ORC_SUCCESSOR_HOST = v.successorHost ?? '';
    env.ORC_SUCCESSOR_PORT = v.successorPort ?? '';
    env.ORC_SUCCESSOR_BINLOG_COORDINATES = v.successorBinlogCoordinates ?? '';
    env.ORC_SUCCESSOR_ALIAS = v.successorAlias ?? '';
  }
  return env;
}

/**
 * Quotes a value as one shell word. Values made only of characters that are never special to a
 * POSIX shell (hostnames, numbers, key lists) are left bare, so templates that already quote a
 * placeholder ('{failedHost}') keep working; anything else is single-quoted with `'` → `'\''`.
 * Placeholders are meant to be used unquoted in templates.
 */
export function shellQuote(value: string): string {
  if (/^[A-Za-z0-9_.:,@%+=/-]+$/.test(value)) return value;
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/** Replaces every known {placeholder} with its quoted value; unknown braces are left as written. */
export function renderHookCommand(template: string, d: HookData): string {
  const values = hookValues(d);
  return template.replace(/\{([A-Za-z]+)\}/g, (whole, name: string) =>
    Object.hasOwn(values, name) ? shellQuote(values[name] ?? '') : whole,
  );
}

export interface HookRun {
  list: HookList;
  command: string;
  async: boolean;
  exitCode: number | null;
  signal: string | null;
  timedOut: boolean;
  durationMs: number;
  /** The last few KiB of stdout and stderr together. */
  outputTail: string;
}

export interface HookRunnerOptions {
  shell: string;
  timeoutMs: number;
  /** Extra environment on top of process.env (tests). */
  env?: Record<string, string>;
  outputTailBytes?: number;
}

/** Runs one rendered command; a trailing `&` starts it detached and resolves at once. */
export function runShellCommand(
  list: HookList,
  rendered: string,
  env: Record<string, string>,
  opts: HookRunnerOptions,
): Promise<HookRun> {
  const trimmed = rendered.trimEnd();
  const isAsync = trimmed.endsWith('&') && !trimmed.endsWith('&&');
  const command = isAsync ? trimmed.slice(0, -1) : trimmed;
  const tailBytes = opts.outputTailBytes ?? 4096;
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn(opts.shell, ['-c', command], {
      env: { ...process.env, ...opts.env, ...env },
      stdio: isAsync ? 'ignore' : ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    const base = { list, command: rendered, async: isAsync, signal: null, timedOut: false };
    if (isAsync) {
      child.on('error', () => {});
      child.unref();
      resolve({ ...base, exitCode: null, durationMs: 0, outputTail: '' });
      return;
    }
    let output = '';
    const append = (chunk: Buffer) => {
      output += chunk.toString('utf8');
      if (output.length > tailBytes * 2) output = output.slice(-tailBytes);
    };
    child.stdout?.on('data', append);
    child.stderr?.on('data', append);
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        if (child.pid) process.kill(-child.pid, 'SIGKILL');
      } catch {
        child.kill('SIGKILL');
      }
    }, opts.timeoutMs);
    const finish = (exitCode: number | null, signal: string | null, extra = '') => {
      clearTimeout(timer);
      resolve({
        ...base,
        exitCode,
        signal,
        timedOut,
        durationMs: Date.now() - started,
        outputTail: (output + extra).slice(-tailBytes),
      });
    };
    child.on('error', (error) => finish(127, null, String(error)));
    child.on('close', (code, signal) => finish(code, signal));
  });
}

export interface HookRunner {
  /** Runs a hook list sequentially; stops at the first failure of an aborting list. */
  run(list: HookList, templates: readonly string[], data: HookData): Promise<HookRun[]>;
}

export function createHookRunner(opts: HookRunnerOptions): HookRunner {
  return {
    async run(list, templates, data) {
      const env = hookEnvironment(data);
      const runs: HookRun[] = [];
      for (const template of templates) {
        const run = await runShellCommand(list, renderHookCommand(template, data), env, opts);
        runs.push(run);
        if (hookFailed(run) && abortingHookLists.has(list)) break;
      }
      return runs;
    },
  };
}

export function hookFailed(run: HookRun): boolean {
  return !run.async && (run.timedOut || run.exitCode !== 0);
}
