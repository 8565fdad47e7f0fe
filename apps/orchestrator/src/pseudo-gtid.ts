// AutoPseudoGTID (reference §1.7, InjectPseudoGTIDOnWriters): every PseudoGTIDIntervalSeconds the
// raft leader writes a Pseudo-GTID entry into the binlog of every writable master it knows —
// `drop view if exists \`_pseudo_gtid_\`.\`_asc:<unix seconds, hex>:<server id, hex>:<16 random hex>\``,
// a statement that changes nothing and replicates everywhere, ascending so searches can skip files —
// and publishes `injected-pseudo-gtid` for the cluster (at most once a minute per cluster). Every
// master is written to in parallel, each statement bounded; a failure is logged once per cluster and
// error, never thrown.

import { randomBytes } from 'node:crypto';
import type { CommandProposer } from '@orchestrator/model';
import { keyString } from '@orchestrator/prober';
import { errorMessage, type MySQLOperations } from '@orchestrator/recovery';
import type { Instance } from '@orchestrator/store';
import type { Logger } from './logger.js';

/** The reference's hint: `%.8x:%.8x:%s` of unix seconds, server id and 16 random hex digits. */
export function pseudoGtidHint(
  nowMs: number,
  serverId: number,
  random = randomBytes(8).toString('hex'),
): string {
  const hex8 = (n: number) => (Math.max(0, Math.trunc(n)) >>> 0).toString(16).padStart(8, '0');
  return `${hex8(nowMs / 1000)}:${hex8(serverId)}:${random.slice(0, 16)}`;
}

/** Writable masters: no master of their own (or a co-master), last check valid, read_only off. */
export function writableMasters(instances: readonly Instance[]): Instance[] {
  return instances.filter(
    (i) =>
      (i.MasterKey.Hostname === '' || i.IsCoMaster) && i.IsLastCheckValid && !i.ReadOnly && i.LogBinEnabled,
  );
}

export interface PseudoGtidInjectorDeps {
  mysql: Pick<MySQLOperations, 'injectPseudoGtid'>;
  isLeader(): boolean;
  instances(): readonly Instance[];
  publish: CommandProposer['propose'];
  log: Pick<Logger, 'warn' | 'debug'>;
  intervalSeconds: number;
  now?: () => number;
}

const PUBLISH_EVERY_MS = 60_000;
const STATEMENT_TIMEOUT_MS = 2_000;

export class PseudoGtidInjector {
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  private readonly published = new Map<string, number>();
  private readonly warned = new Map<string, string>();
  private readonly now: () => number;

  constructor(private readonly d: PseudoGtidInjectorDeps) {
    this.now = d.now ?? Date.now;
  }

  start(): void {
    this.timer = setInterval(() => void this.tick(), this.d.intervalSeconds * 1000);
    this.timer.unref?.();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** One round: an entry on every writable master (leader only; a round still running is not overlapped). */
  async tick(): Promise<number> {
    if (this.running || !this.d.isLeader()) return 0;
    this.running = true;
    try {
      const masters = writableMasters(this.d.instances());
      const done = await Promise.all(masters.map((m) => this.injectOn(m)));
      return done.filter(Boolean).length;
    } finally {
      this.running = false;
    }
  }

  private async injectOn(master: Instance): Promise<boolean> {
    const cluster = master.ClusterName || keyString(master.Key);
    try {
      await this.d.mysql.injectPseudoGtid(
        master.Key,
        pseudoGtidHint(this.now(), master.ServerID),
        STATEMENT_TIMEOUT_MS,
      );
      this.warned.delete(cluster);
      const last = this.published.get(cluster) ?? 0;
      if (this.now() - last >= PUBLISH_EVERY_MS) {
        this.published.set(cluster, this.now());
        await this.d.publish('injected-pseudo-gtid', cluster).catch(() => this.published.delete(cluster));
      }
      return true;
    } catch (error) {
      const message = errorMessage(error);
      if (this.warned.get(cluster) !== message) {
        this.warned.set(cluster, message);
        this.d.log.warn(
          { cluster, master: keyString(master.Key), error: message },
          'AutoPseudoGTID: could not write a Pseudo-GTID entry (the topology user needs DROP on _pseudo_gtid_.*)',
        );
      }
      return false;
    }
  }
}
