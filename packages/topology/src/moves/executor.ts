// The thin executor: runs a plan's steps on MySQL/MariaDB one at a time. Before each step it checks
// leadership (the operations' guard does too) and reads the live coordinates or GTID positions the
// step needs; every step is audited. On failure it stops, restarts replication where the plan had
// stopped it, and reports which step failed. Group plans run their moves with at most
// MaxConcurrentReplicaOperations at a time.
import {
  type BinlogPosition,
  compareBinlogPositions,
  compareMariaDBGtid,
  errorMessage,
  type Leadership,
  type MySQLOperations,
  matchBelow,
  matchOptions,
  oracleGtidContains,
  type PseudoGtidConfig,
  parseMariaDBGtidPos,
  parseOracleGtidSet,
} from '@orchestrator/recovery';
import { MoveError, MoveFailedError } from './errors.js';
import { keyString } from './rules.js';
import { describeStep } from './steps.js';
import type { CoordinatesOf, GroupPlan, InstanceKey, MovePlan, Step } from './types.js';

const k = keyString;

export interface AuditEntry {
  /** The operation, e.g. `move-up` (the reference's audit_type). */
  type: string;
  key: InstanceKey;
  message: string;
}

/** Local maintenance locks (reference BeginMaintenance): one operation per instance at a time. */
export interface MoveLocks {
  /** false when the instance is already under maintenance. */
  begin(key: InstanceKey, reason: string): Promise<boolean>;
  end(key: InstanceKey): Promise<void>;
}

export interface ExecutorOptions {
  mysql: MySQLOperations;
  leadership: Leadership;
  audit?: (entry: AuditEntry) => Promise<void>;
  locks?: MoveLocks;
  /** Bounds the waits for a new master or a sibling to catch up (seconds). */
  ReasonableMaintenanceReplicationLagSeconds: number;
  /** How many replicas a group move changes at once (reference default 5). */
  MaxConcurrentReplicaOperations: number;
  /** Pseudo-GTID keys (match-below steps); PseudoGTIDMatchTimeoutSeconds bounds one match (default 60). */
  pseudoGtid?: Partial<PseudoGtidConfig> & { PseudoGTIDMatchTimeoutSeconds?: number };
  pollMs?: number;
  sleep?: (ms: number) => Promise<void>;
}

export interface GroupOutcome {
  moved: InstanceKey[];
  failed: { key: InstanceKey; error: string }[];
}

export class MoveExecutor {
  private readonly pollMs: number;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(private readonly opts: ExecutorOptions) {
    this.pollMs = opts.pollMs ?? 50;
    this.sleep = opts.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
  }

  private get waitMs(): number {
    return Math.max(1, this.opts.ReasonableMaintenanceReplicationLagSeconds) * 1000;
  }

  private checkLeader(what: string): void {
    if (!this.opts.leadership.isLeaderWithQuorum())
      throw new MoveError('NOT_LEADER', `this node is not the raft leader with a quorum: ${what} not run`);
  }

  private async audit(type: string, key: InstanceKey, message: string): Promise<void> {
    // An audit failure must not leave a move half-done.
    await this.opts.audit?.({ type, key, message }).catch(() => {});
  }

  /** Takes maintenance locks on `keys` (all or none); returns the release function. */
  async lock(keys: readonly InstanceKey[], reason: string): Promise<() => Promise<void>> {
    const locks = this.opts.locks;
    if (!locks) return async () => {};
    const taken: InstanceKey[] = [];
    const release = async () => {
      for (const key of taken.reverse()) await locks.end(key).catch(() => {});
    };
    for (const key of keys) {
      if (!(await locks.begin(key, reason))) {
        await release();
        throw new MoveError(
          'LOCKED',
          `Cannot begin maintenance on ${k(key)}: it is already under maintenance`,
        );
      }
      taken.push(key);
    }
    return release;
  }

  /** Runs one move. `locked`: the caller already holds the locks (group moves). */
  async run(plan: MovePlan, options: { locked?: boolean } = {}): Promise<void> {
    this.checkLeader(plan.kind);
    const release = options.locked ? async () => {} : await this.lock(plan.involved, plan.kind);
    const stopped = new Map<string, InstanceKey>();
    let done = 0;
    try {
      for (const step of plan.steps) {
        this.checkLeader(describeStep(step));
        if (
          (step.op === 'change-master-gtid' ||
            step.op === 'change-master-coordinates' ||
            step.op === 'match-below') &&
          plan.kind !== 'make-co-master'
        )
          await this.checkNoCycle(step.instance, step.master);
        await this.runStep(step, stopped);
        done++;
        await this.audit(
          plan.kind,
          step.instance,
          `${plan.kind} ${k(plan.instance)}: step ${done}/${plan.steps.length}: ${describeStep(step)}`,
        );
      }
    } catch (error) {
      const restarted = await this.restart([...stopped.values()]);
      const failedStep = plan.steps[done];
      const message =
        `${plan.kind} ${k(plan.instance)} failed at step ${done + 1}/${plan.steps.length}` +
        `${failedStep ? ` (${describeStep(failedStep)})` : ''}: ${errorMessage(error)}` +
        (restarted.length > 0 ? `; replication restarted on ${restarted.map(k).join(', ')}` : '');
      await this.audit(plan.kind, plan.instance, message);
      if (error instanceof MoveError && error.code === 'NOT_LEADER' && done === 0) throw error;
      throw new MoveFailedError(message, done, { cause: error });
    } finally {
      await release();
    }
    await this.audit(plan.kind, plan.instance, plan.summary);
  }

  /** Runs a group's moves (bounded parallelism for GTID moves, one by one otherwise). */
  async runGroup(group: GroupPlan): Promise<GroupOutcome> {
    this.checkLeader(group.kind);
    const keys = uniqueKeys(group.moves.flatMap((m) => m.involved));
    const release = await this.lock(keys, group.kind);
    const outcome: GroupOutcome = { moved: [], failed: [] };
    const stopped = new Map<string, InstanceKey>();
    try {
      for (const step of group.before ?? []) {
        this.checkLeader(describeStep(step));
        await this.runStep(step, stopped);
        await this.audit(
          group.kind,
          step.instance,
          `${group.kind} ${k(group.instance)}: ${describeStep(step)}`,
        );
      }
      const width = group.parallel ? Math.max(1, this.opts.MaxConcurrentReplicaOperations) : 1;
      let next = 0;
      const worker = async () => {
        for (let i = next++; i < group.moves.length; i = next++) {
          const move = group.moves[i] as MovePlan;
          try {
            await this.run(move, { locked: true });
            outcome.moved.push(move.instance);
          } catch (error) {
            outcome.failed.push({ key: move.instance, error: errorMessage(error) });
            if (error instanceof MoveError && error.code === 'NOT_LEADER') next = group.moves.length;
          }
        }
      };
      await Promise.all(Array.from({ length: Math.min(width, group.moves.length) }, worker));
    } finally {
      // After-steps run whatever happened to the moves (they restart what before-steps stopped).
      for (const step of group.after ?? []) {
        try {
          this.checkLeader(describeStep(step));
          await this.runStep(step, stopped);
          await this.audit(
            group.kind,
            step.instance,
            `${group.kind} ${k(group.instance)}: ${describeStep(step)}`,
          );
        } catch (error) {
          await this.audit(group.kind, step.instance, `${describeStep(step)} failed: ${errorMessage(error)}`);
        }
      }
      await release();
    }
    await this.audit(group.kind, group.instance, group.summary);
    return outcome;
  }

  private async restart(keys: InstanceKey[]): Promise<InstanceKey[]> {
    const restarted: InstanceKey[] = [];
    for (const key of keys) {
      try {
        if (!this.opts.leadership.isLeaderWithQuorum()) break;
        await this.opts.mysql.startReplication(key);
        restarted.push(key);
      } catch {
        // Best effort: the failure being reported matters more.
      }
    }
    return restarted;
  }

  private async runStep(step: Step, stopped: Map<string, InstanceKey>): Promise<void> {
    const mysql = this.opts.mysql;
    switch (step.op) {
      case 'stop-replication':
        if (await mysql.replicaStatus(step.instance)) {
          await mysql.stopReplication(step.instance);
          stopped.set(k(step.instance), step.instance);
        }
        return;
      case 'start-replication':
        await mysql.startReplication(step.instance);
        stopped.delete(k(step.instance));
        return;
      case 'start-until':
        await mysql.startReplicationUntil(step.instance, await this.coordinates(step.until), this.waitMs);
        return;
      case 'sync-siblings':
        return this.syncSiblings(step.instance, step.sibling);
      case 'wait-gtid':
        return this.waitGtid(step.instance, step.of);
      case 'change-master-gtid': {
        const creds = step.credentialsFrom
          ? await mysql.replicationCredentials(step.credentialsFrom)
          : undefined;
        await mysql.changeMasterTo(step.instance, step.master, creds);
        return;
      }
      case 'change-master-coordinates': {
        const creds = step.credentialsFrom
          ? await mysql.replicationCredentials(step.credentialsFrom)
          : undefined;
        await mysql.changeMasterToCoordinates(
          step.instance,
          step.master,
          await this.coordinates(step.at),
          creds,
        );
        return;
      }
      case 'align-gtid-slave-pos':
        await mysql.alignGtidSlavePos(step.instance);
        return;
      case 'match-below': {
        // matchBelow stops the replica itself and restarts it when matching fails.
        const cfg = this.opts.pseudoGtid ?? {};
        const found = await matchBelow(
          mysql,
          step.instance,
          step.master,
          matchOptions(cfg, (cfg.PseudoGTIDMatchTimeoutSeconds ?? 60) * 1000),
        );
        await this.audit(
          'match-below',
          step.instance,
          `matched ${k(step.instance)} below ${k(step.master)} at ${found.coordinates.LogFile}:${found.coordinates.LogPos}; validated events: ${found.matched}`,
        );
        return;
      }
    }
  }

  /**
   * Re-checks on live servers that `master` does not replicate (directly or not) from `instance`:
   * the view the plan was made on may be stale. Unreachable links end the walk (bounded to 32 hops).
   */
  private async checkNoCycle(instance: InstanceKey, master: InstanceKey): Promise<void> {
    let cur: InstanceKey | undefined = master;
    for (let hop = 0; cur && hop < 32; hop++) {
      if (k(cur) === k(instance))
        throw new MoveError(
          'FAILED',
          `${k(master)} now replicates from ${k(instance)}: the move would create a replication cycle`,
        );
      const status: Awaited<ReturnType<MySQLOperations['replicaStatus']>> = await this.opts.mysql
        .replicaStatus(cur)
        .catch(() => null);
      cur = status?.masterKey;
    }
  }

  /** Live coordinates of a stopped instance: its own binlog position, or what it executed from its master. */
  private async coordinates(c: CoordinatesOf): Promise<BinlogPosition> {
    if (c.which === 'self') {
      const own = await this.opts.mysql.binlogCoordinates(c.of);
      if (!own) throw new MoveError('FAILED', `${k(c.of)} has no binary log position (log_bin off?)`);
      return own;
    }
    const status = await this.opts.mysql.replicaStatus(c.of);
    if (!status) throw new MoveError('FAILED', `${k(c.of)} is no longer a replica`);
    return status.execCoordinates;
  }

  /** Two stopped siblings: the one behind runs until it executed exactly what the other executed. */
  private async syncSiblings(a: InstanceKey, b: InstanceKey): Promise<void> {
    const mysql = this.opts.mysql;
    const [sa, sb] = await Promise.all([mysql.replicaStatus(a), mysql.replicaStatus(b)]);
    if (!sa || !sb) throw new MoveError('FAILED', `${k(sa ? b : a)} is no longer a replica`);
    if (sa.masterKey.Hostname !== sb.masterKey.Hostname || sa.masterKey.Port !== sb.masterKey.Port)
      throw new MoveError('FAILED', `${k(a)} and ${k(b)} are no longer siblings`);
    const cmp = compareBinlogPositions(sa.execCoordinates, sb.execCoordinates);
    if (cmp < 0) await mysql.startReplicationUntil(a, sb.execCoordinates, this.waitMs);
    else if (cmp > 0) await mysql.startReplicationUntil(b, sa.execCoordinates, this.waitMs);
  }

  /** Waits (bounded) until `instance` has applied every GTID `of` had when the step began. */
  private async waitGtid(instance: InstanceKey, of: InstanceKey): Promise<void> {
    const mysql = this.opts.mysql;
    const wanted = await mysql.gtidPosition(of);
    const deadline = Date.now() + this.waitMs;
    for (;;) {
      const have = await mysql.gtidPosition(instance);
      if (have.flavor !== wanted.flavor)
        throw new MoveError('FAILED', `${k(instance)} and ${k(of)} use different GTID flavors`);
      if (have.flavor === 'mariadb') {
        const cmp = compareMariaDBGtid(
          parseMariaDBGtidPos(have.position),
          parseMariaDBGtidPos(wanted.position),
        );
        if (cmp === 'ahead' || cmp === 'equal') return;
        if (cmp === 'diverged')
          throw new MoveError(
            'FAILED',
            `${k(instance)} (${have.position}) and ${k(of)} (${wanted.position}) have diverged GTID positions`,
          );
      } else if (oracleGtidContains(parseOracleGtidSet(have.position), parseOracleGtidSet(wanted.position)))
        return;
      if (Date.now() >= deadline)
        throw new MoveError(
          'FAILED',
          `${k(instance)} did not catch up with ${k(of)} (GTID ${wanted.position}) within ${this.waitMs} ms`,
        );
      await this.sleep(this.pollMs);
    }
  }
}

function uniqueKeys(keys: InstanceKey[]): InstanceKey[] {
  const seen = new Set<string>();
  return keys.filter((key) => {
    const id = k(key);
    if (seen.has(id)) return false;
    seen.add(id);
    return true;
  });
}
