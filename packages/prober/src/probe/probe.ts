// The instance probe: one persistent connection per instance (reused across polls), one
// multi-statement round trip per poll, optional Detect*Query look-ups after it. The same connection
// doubles as the failure monitor: when the server dies its socket closes and `onConnectionLost`
// fires at once, long before the next poll.
//
// Every operation is bounded by our own deadline from the moment it is asked for: connecting
// (TCP, greeting and authentication) by MySQLConnectTimeoutSeconds plus one read timeout, every
// statement by MySQLDiscoveryReadTimeoutSeconds, a ping by MySQLConnectTimeoutSeconds. A deadline
// that passes destroys the connection, so a hung server (SIGSTOP, a stalled disk, a host whose
// packets vanish) fails its probe instead of holding it, and everything queued behind it, forever.

import { createRequire } from 'node:module';
import type { Instance, InstanceKey } from '@orchestrator/model';
import { isCandidateRule, isSettablePromotionRule } from '@orchestrator/model';
import type * as mysql from 'mysql2';

// Loaded on the first probe rather than at import, which keeps it off the daemon's start-up path.
let mysqlModule: typeof mysql | undefined;
const loadMysql = (): typeof mysql => {
  mysqlModule ??= createRequire(import.meta.url)('mysql2') as typeof mysql;
  return mysqlModule;
};

import type { ProberConfig } from '../config.js';
import { ProberError } from '../errors.js';
import { keyString } from '../keys.js';
import { blankInstance } from './blank.js';
import { withDeadline } from './deadline.js';
import {
  applyIdentity,
  applyMasterStatus,
  applyReplicationLink,
  applySemiSync,
  applySlaveStatus,
  bool,
  num,
  patternValue,
  type Row,
  replicaKeys,
  str,
} from './parse.js';
import {
  EMPTY_STATEMENT,
  type Flavor,
  parseFlavor,
  probeStatements,
  STEP,
  type StepName,
} from './queries.js';

/** Where to connect for a key (the resolved name may not be connectable; the probed one is). */
export interface ProbeAddress {
  host: string;
  port: number;
}

export interface ProbeRequest {
  /** The key as discovered (what the caller calls this instance). */
  key: InstanceKey;
  address: ProbeAddress;
  /** Canonical name for a Master_Host value (resolve cache); identity by default. */
  resolveMaster?: (host: string) => string;
}

export type ProbeResult =
  | { ok: true; instance: Instance; partial: boolean; failedSteps: string[] }
  | { ok: false; key: InstanceKey; error: Error };

/** What the discovery loop needs from a probe implementation (the fake fleet and tests provide their own). */
export interface InstanceProber {
  probe(request: ProbeRequest): Promise<ProbeResult>;
  /** Cheap liveness check on the kept connection; false when the server cannot be reached. */
  ping(request: ProbeRequest): Promise<boolean>;
  /** Called when an idle kept connection is closed by the server or the network. */
  onConnectionLost(listener: (key: InstanceKey) => void): void;
  /** Runs statements on the instance (emergent operations such as restarting replication). */
  execute(request: ProbeRequest, sql: string): Promise<void>;
  close(key: InstanceKey): void;
  closeAll(): Promise<void>;
}

interface Kept {
  conn: mysql.Connection;
  ready: Promise<Flavor>;
  /** Set once we decided to drop it, so its own 'end' does not count as a loss. */
  closing: boolean;
  /** Set once the connection worked: only the loss of a working connection is news. */
  established: boolean;
  /** Steps this server refused (e.g. SHOW SLAVE HOSTS without REPLICATION MASTER ADMIN on MariaDB ≥ 10.5): left out of later batches. */
  skip: Set<number>;
  /** The ping in flight: callers share it instead of queueing one ping after another. */
  ping?: Promise<boolean>;
}

/** Steps that are opportunistic: their failure is not a partial-success failure. */
const OPTIONAL_STEPS: ReadonlySet<number> = new Set([STEP.slaveHosts, STEP.replicaLink]);

type Query = (sql: string) => Promise<unknown>;

/** Errors after which the connection cannot be trusted: lost, or a read timeout mid-reply. */
function isFatal(error: unknown): boolean {
  const e = error as { fatal?: boolean; code?: string };
  return e.fatal === true || e.code === 'PROTOCOL_SEQUENCE_TIMEOUT' || e.code === 'PROBE_TIMEOUT';
}

export class MySQLProber implements InstanceProber {
  private readonly kept = new Map<string, Kept>();
  private readonly lostListeners: ((key: InstanceKey) => void)[] = [];

  constructor(private readonly config: ProberConfig) {}

  onConnectionLost(listener: (key: InstanceKey) => void): void {
    this.lostListeners.push(listener);
  }

  private connection(req: ProbeRequest): Kept {
    const id = keyString(req.key);
    const existing = this.kept.get(id);
    if (existing) return existing;
    const conn = loadMysql().createConnection({
      host: req.address.host,
      port: req.address.port,
      user: this.config.MySQLTopologyUser,
      password: this.config.MySQLTopologyPassword,
      connectTimeout: this.config.MySQLConnectTimeoutSeconds * 1000,
      multipleStatements: true,
      dateStrings: true,
      supportBigNumbers: true,
      // mysql2 preallocates its per-connection prepared-statement LRU at this size (16000 by
      // default: ~0.5 MiB of heap per connection). The prober never prepares, and keeps one
      // connection per instance, so this one setting is the difference between 5 GiB and 100 MiB
      // at 10k instances.
      maxPreparedStatements: 1,
    });
    const kept: Kept = {
      conn,
      established: false,
      closing: false,
      skip: new Set(),
      ready: Promise.resolve({ mariadb: false, version: 0 }),
    };
    const lost = (): void => {
      if (this.kept.get(id) !== kept) return;
      this.kept.delete(id);
      if (kept.closing) return;
      kept.closing = true;
      if (kept.established) for (const l of this.lostListeners) l(req.key);
    };
    conn.on('error', lost);
    conn.on('end', lost);
    const handshakeAndVersion = new Promise<Flavor>((resolve, reject) => {
      conn.query('SELECT @@global.version AS v', (err, rows) => {
        if (err) reject(err);
        else {
          kept.established = true;
          resolve(parseFlavor(str((rows as Row[])[0]?.v)));
        }
      });
    });
    const connectMs = this.connectTimeoutMs() + this.readTimeoutMs();
    kept.ready = withDeadline(handshakeAndVersion, connectMs, () => {
      this.drop(id, kept);
      return new ProberError(
        'PROBE_TIMEOUT',
        `${id} did not complete the connection (TCP, greeting, login, version) within ${connectMs} ms`,
      );
    });
    // A failed connect is reported to the prober through `ready`; keep it from being unhandled.
    kept.ready.catch(() => undefined);
    this.kept.set(id, kept);
    return kept;
  }

  private readTimeoutMs(): number {
    return this.config.MySQLDiscoveryReadTimeoutSeconds * 1000;
  }

  private connectTimeoutMs(): number {
    return this.config.MySQLConnectTimeoutSeconds * 1000;
  }

  /** Each statement is bounded from the moment it is asked for, queue wait included. */
  private runner(id: string, kept: Kept): Query {
    const ms = this.readTimeoutMs();
    return (sql) =>
      withDeadline(
        new Promise((resolve, reject) => {
          kept.conn.query(sql, (err, rows) => (err ? reject(err) : resolve(rows)));
        }),
        ms,
        () => {
          this.drop(id, kept);
          return new ProberError('PROBE_TIMEOUT', `${id} did not answer a statement within ${ms} ms`);
        },
      );
  }

  /** Destroys a connection we gave up on; its own 'end' is then not news. */
  private drop(id: string, kept: Kept): void {
    kept.closing = true;
    if (this.kept.get(id) === kept) this.kept.delete(id);
    kept.conn.destroy();
  }

  close(key: InstanceKey): void {
    const id = keyString(key);
    const kept = this.kept.get(id);
    if (kept) this.drop(id, kept);
  }

  async closeAll(): Promise<void> {
    for (const kept of this.kept.values()) {
      kept.closing = true;
      kept.conn.destroy();
    }
    this.kept.clear();
  }

  /**
   * True when the server answers a ping within MySQLConnectTimeoutSeconds (plus the connect time
   * when there is no connection yet). Concurrent callers share one ping.
   */
  ping(req: ProbeRequest): Promise<boolean> {
    const id = keyString(req.key);
    const kept = this.connection(req);
    if (kept.ping) return kept.ping;
    const ms = this.connectTimeoutMs();
    const answered = new Promise<void>((resolve, reject) =>
      kept.conn.ping((err) => (err ? reject(err) : resolve())),
    );
    const ping = kept.ready
      .then(() =>
        withDeadline(
          answered,
          ms,
          () => new ProberError('PROBE_TIMEOUT', `${id} did not answer a ping in ${ms} ms`),
        ),
      )
      .then(
        () => true,
        () => {
          this.drop(id, kept);
          return false;
        },
      )
      .finally(() => {
        kept.ping = undefined;
      });
    // A failed connect rejects `answered` too; the outcome is reported through `ping`.
    answered.catch(() => undefined);
    kept.ping = ping;
    return ping;
  }

  async execute(req: ProbeRequest, sql: string): Promise<void> {
    const kept = this.connection(req);
    await kept.ready;
    await this.runner(keyString(req.key), kept)(sql);
  }

  async probe(req: ProbeRequest): Promise<ProbeResult> {
    const kept = this.connection(req);
    let flavor: Flavor;
    try {
      flavor = await kept.ready;
    } catch (cause) {
      this.close(req.key);
      return {
        ok: false,
        key: req.key,
        error: new ProberError('PROBE_FAILED', `cannot connect to ${keyString(req.key)}`, { cause }),
      };
    }
    const query = this.runner(keyString(req.key), kept);
    const statements = probeStatements(flavor).map((sql, i) => (kept.skip.has(i) ? EMPTY_STATEMENT : sql));
    let results: (Row[] | undefined)[];
    const failedSteps: string[] = [];
    try {
      results = (await query(statements.join(';\n'))) as Row[][];
    } catch (batchError) {
      // Something in the batch failed. Re-run step by step so one unsupported statement costs only
      // its own fields (partial success), unless the identity step itself fails.
      if (isFatal(batchError) || this.kept.get(keyString(req.key)) !== kept) {
        this.close(req.key);
        return {
          ok: false,
          key: req.key,
          error: new ProberError('PROBE_FAILED', `probe of ${keyString(req.key)} failed`, {
            cause: batchError,
          }),
        };
      }
      results = [];
      for (const [i, sql] of statements.entries()) {
        try {
          results[i] = (await query(sql)) as Row[];
        } catch (stepError) {
          if (i === STEP.identity) {
            this.close(req.key);
            return {
              ok: false,
              key: req.key,
              error: new ProberError('PROBE_FAILED', `identity query failed on ${keyString(req.key)}`, {
                cause: stepError,
              }),
            };
          }
          if (isFatal(stepError)) {
            // The connection is gone or out of sync: the remaining steps are lost for this probe.
            this.close(req.key);
            failedSteps.push(...(Object.keys(STEP) as StepName[]).slice(i));
            break;
          }
          kept.skip.add(i);
          if (!OPTIONAL_STEPS.has(i)) failedSteps.push((Object.keys(STEP) as StepName[])[i] ?? String(i));
        }
      }
    }
    const at = (s: StepName): Row[] | undefined => results[STEP[s]];
    const inst = blankInstance(req.key);
    const identity = at('identity')?.[0];
    if (!identity) {
      return {
        ok: false,
        key: req.key,
        error: new ProberError('PROBE_FAILED', `identity query returned no row on ${keyString(req.key)}`),
      };
    }
    applyIdentity(inst, identity, req.key, this.config.MySQLHostnameResolveMethod);
    applyMasterStatus(inst, at('masterStatus'));
    applySemiSync(inst, at('semiSyncVariables'), at('status'));
    applySlaveStatus(inst, at('slaveStatus'), req.resolveMaster ?? ((h) => h));
    applyReplicationLink(inst, identity, at('slaveStatus'), at('replicaLink'));
    inst.Replicas = replicaKeys(
      req.key.Port,
      at('slaveHosts'),
      at('processlist'),
      this.config.DiscoverByShowSlaveHosts,
    );
    await this.optionalQueries(inst, query, failedSteps);
    inst.DataCenter ||= patternValue(inst.Key.Hostname, this.config.DataCenterPattern);
    inst.Region ||= patternValue(inst.Key.Hostname, this.config.RegionPattern);
    inst.PhysicalEnvironment ||= patternValue(inst.Key.Hostname, this.config.PhysicalEnvironmentPattern);
    inst.LastCheckPartialSuccess = failedSteps.length > 0;
    return { ok: true, instance: inst, partial: failedSteps.length > 0, failedSteps };
  }

  /** Detect*Query metadata and ReplicationLagQuery: each optional, each a single-value query. */
  private async optionalQueries(inst: Instance, query: Query, failed: string[]): Promise<void> {
    const c = this.config;
    const one = async (name: string, sql: string, apply: (v: unknown) => void): Promise<void> => {
      if (!sql) return;
      try {
        const rows = (await query(sql)) as Row[];
        const first = rows[0];
        if (first) apply(Object.values(first)[0]);
      } catch {
        failed.push(name);
      }
    };
    await one('DetectDataCenterQuery', c.DetectDataCenterQuery, (v) => (inst.DataCenter = str(v)));
    await one('DetectRegionQuery', c.DetectRegionQuery, (v) => (inst.Region = str(v)));
    await one(
      'DetectPhysicalEnvironmentQuery',
      c.DetectPhysicalEnvironmentQuery,
      (v) => (inst.PhysicalEnvironment = str(v)),
    );
    await one('DetectInstanceAliasQuery', c.DetectInstanceAliasQuery, (v) => (inst.InstanceAlias = str(v)));
    await one(
      'DetectSemiSyncEnforcedQuery',
      c.DetectSemiSyncEnforcedQuery,
      (v) => (inst.SemiSyncEnforced = bool(v) || num(v) > 0),
    );
    await one('DetectPromotionRuleQuery', c.DetectPromotionRuleQuery, (v) => {
      const rule = str(v);
      // The reference's ParseCandidatePromotionRule: anything else (`must` included) is refused.
      if (isSettablePromotionRule(rule)) {
        inst.PromotionRule = rule;
        inst.IsCandidate = isCandidateRule(rule);
      }
    });
    if (!inst.MasterKey.Hostname) {
      await one(
        'DetectClusterAliasQuery',
        c.DetectClusterAliasQuery,
        (v) => (inst.SuggestedClusterAlias = str(v)),
      );
    }
    await one('ReplicationLagQuery', c.ReplicationLagQuery, (v) => {
      if (v !== null && v !== undefined)
        inst.ReplicationLagSeconds = { Int64: Math.max(0, num(v)), Valid: true };
    });
  }
}
