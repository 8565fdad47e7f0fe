// The prober's Prometheus series: probes and their latency, failures by kind, the instances this
// node sees by state, and the discovery queue. Counted in plain numbers per probe, read at scrape.
import { PROBE_ERROR_KINDS, type ProbeErrorKind, type ProbeTiming } from '@orchestrator/prober';
import type { Instance } from '@orchestrator/store';
import type { Histogram, Registry } from 'prom-client';
import { prom } from './prom.js';
import { Tally, tallyCounter } from './tallies.js';

export type InstanceState = 'ok' | 'unreachable' | 'stale';
export const INSTANCE_STATES: readonly InstanceState[] = ['ok', 'unreachable', 'stale'];

/**
 * How an instance looks to this node: `unreachable` when its latest check failed, `stale` when its
 * latest successful check is older than `staleAfterMs` (the prober falls behind), else `ok`.
 */
export function instanceState(
  instance: Pick<Instance, 'IsLastCheckValid' | 'LastCheckedTimestamp'>,
  nowMs: number,
  staleAfterMs: number,
): InstanceState {
  if (!instance.IsLastCheckValid) return 'unreachable';
  const checked = Date.parse(instance.LastCheckedTimestamp);
  if (!Number.isFinite(checked) || nowMs - checked > staleAfterMs) return 'stale';
  return 'ok';
}

/** What is read from discovery at scrape time (undefined while this node does not probe). */
/** What the gauges read at scrape time: discovery, attached once it exists (watch). */
export interface ProberSource {
  instances(): readonly Instance[];
  queue(): { backlog: number; active: number; slowLane: number } | undefined;
}

export interface ProberClock {
  now(): number;
  staleAfterMs(): number;
}

const PROBE_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export class ProberMetrics {
  private readonly probes = new Tally<'ok' | 'error'>();
  private readonly errors = new Tally<ProbeErrorKind>();
  private readonly latency: Histogram;

  private source: ProberSource | undefined;

  /** The gauges read discovery through `watch`; until then they report nothing. */
  watch(source: ProberSource): void {
    this.source = source;
  }

  constructor(registry: Registry, clock: ProberClock) {
    const instances = () => this.source?.instances() ?? [];
    const queue = () => this.source?.queue();
    this.latency = new (prom().Histogram)({
      name: 'orchestrator_probe_duration_seconds',
      help: 'Duration of one probe of a MySQL/MariaDB instance (successful or not).',
      buckets: PROBE_BUCKETS,
      registers: [registry],
    });
    tallyCounter(registry, {
      name: 'orchestrator_probes_total',
      help: 'Probes completed, by result (ok, error); rate() gives probes per second.',
      labelNames: ['result'],
      tally: this.probes,
      labels: (result) => ({ result }),
      known: ['ok', 'error'],
    });
    tallyCounter(registry, {
      name: 'orchestrator_probe_errors_total',
      help: 'Failed probes by kind (refused, timeout, access_denied, unresolved, connection_lost, ignored, query, other).',
      labelNames: ['kind'],
      tally: this.errors,
      labels: (kind) => ({ kind }),
      known: PROBE_ERROR_KINDS,
    });
    new (prom().Gauge)({
      name: 'orchestrator_instances',
      help: 'Instances this node probes, by state (ok, unreachable, stale).',
      labelNames: ['state'],
      registers: [registry],
      collect() {
        const counts = { ok: 0, unreachable: 0, stale: 0 };
        const now = clock.now();
        const staleAfter = clock.staleAfterMs();
        for (const i of instances()) counts[instanceState(i, now, staleAfter)]++;
        for (const state of INSTANCE_STATES) this.set({ state }, counts[state]);
      },
    });
    const queueGauge = (
      name: string,
      help: string,
      read: (q: NonNullable<ReturnType<ProberSource['queue']>>) => number,
    ) =>
      new (prom().Gauge)({
        name,
        help,
        registers: [registry],
        collect() {
          const q = queue();
          this.set(q ? read(q) : 0);
        },
      });
    queueGauge(
      'orchestrator_discovery_queue_depth',
      'Instances due for a probe but not started yet; growing means the prober falls behind.',
      (q) => q.backlog,
    );
    queueGauge('orchestrator_discovery_probes_in_flight', 'Probes running now.', (q) => q.active);
    queueGauge(
      'orchestrator_discovery_slow_lane_instances',
      'Instances in the slow lane (their latest check failed; probed with back-off).',
      (q) => q.slowLane,
    );
    queueGauge(
      'orchestrator_discovery_active',
      '1 while this node probes (it is part of a raft quorum).',
      () => 1,
    );
  }

  /** One probe finished (DiscoveryLoop's onProbe). */
  record(p: ProbeTiming): void {
    this.latency.observe(p.durationMs / 1000);
    if (p.error === undefined) this.probes.add('ok');
    else {
      this.probes.add('error');
      this.errors.add(p.errorKind ?? 'other');
    }
  }
}
