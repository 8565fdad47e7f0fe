// The reference's discovery metrics (go/discovery): every probe's timing kept for a retention
// period, and a per-second sample of the discovery queue, served by discovery-metrics-raw/
// -aggregated/:seconds and discovery-queue-metrics-raw/-aggregated/:seconds in its shapes.
// Departures: probe results are written to the backend in batches (one write for up to 100
// probes), not one by one, so BackendLatencySeconds is 0; Err is the error's text (the
// reference's Go error marshals to {}); the aggregate counts failures as failures (the reference
// counts successes as FailedDiscoveries).
import type { DiscoveryMetricsReads, Row } from '@orchestrator/api';
import type { ProbeTiming } from '@orchestrator/prober';

/** The reference's DiscoveryCollectionRetentionSeconds and DiscoveryQueueMaxStatisticsSize. */
const RETENTION_SECONDS = 120;
const QUEUE_SAMPLES = 120;
/** A bound on memory however many instances there are. */
const MAX_PROBES = 200_000;
/** Go's zero time, what the reference shows for FirstSeen/LastSeen with no data. */
const ZERO_TIME = '0001-01-01T00:00:00Z';

interface Probe {
  endedAt: number;
  timing: ProbeTiming;
}

const avg = (v: number[]) => (v.length === 0 ? 0 : v.reduce((a, b) => a + b, 0) / v.length);
const max = (v: number[]) => (v.length === 0 ? 0 : Math.max(...v));
const min = (v: number[]) => (v.length === 0 ? 0 : Math.min(...v));

function median(values: number[]): number {
  if (values.length === 0) return 0;
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** Nearest-rank percentile. */
function percentile(values: number[], p: number): number {
  if (values.length === 0) return 0;
  const s = [...values].sort((a, b) => a - b);
  return s[Math.max(0, Math.ceil((p / 100) * s.length) - 1)]!;
}

export class DiscoveryMetrics implements DiscoveryMetricsReads {
  private probes: Probe[] = [];
  private queue: { Active: number; Queued: number }[] = [];

  /** `now`: epoch ms, the daemon's clock. */
  constructor(private readonly now: () => number = Date.now) {}

  recordProbe(timing: ProbeTiming): void {
    this.probes.push({ endedAt: timing.startedAt + timing.durationMs, timing });
    const horizon = this.now() - RETENTION_SECONDS * 1000;
    let drop = 0;
    while (drop < this.probes.length && this.probes[drop]!.endedAt < horizon) drop++;
    if (this.probes.length - drop > MAX_PROBES) drop = this.probes.length - MAX_PROBES;
    if (drop > 0) this.probes = this.probes.slice(drop);
  }

  /** One sample a second: probes running and instances waiting for a probe. */
  sampleQueue(active: number, queued: number): void {
    this.queue.push({ Active: active, Queued: queued });
    if (this.queue.length > QUEUE_SAMPLES) this.queue.shift();
  }

  private since(seconds: number): Probe[] {
    const horizon = this.now() - seconds * 1000;
    return this.probes.filter((p) => p.endedAt >= horizon);
  }

  raw(seconds: number): Row[] {
    return this.since(seconds).map(({ endedAt, timing }) => ({
      Timestamp: new Date(endedAt).toISOString(),
      Hostname: timing.key.Hostname,
      Port: timing.key.Port,
      BackendLatencySeconds: 0,
      InstanceLatencySeconds: timing.durationMs / 1000,
      TotalLatencySeconds: timing.durationMs / 1000,
      Err: timing.error ?? null,
    }));
  }

  aggregated(seconds: number): Row {
    const probes = this.since(seconds);
    const ok = probes.filter((p) => p.timing.error === undefined);
    const failed = probes.filter((p) => p.timing.error !== undefined);
    const secondsOf = (list: Probe[]) => list.map((p) => p.timing.durationMs / 1000);
    const all = secondsOf(probes);
    const bad = secondsOf(failed);
    const zeros = (list: unknown[]) => list.map(() => 0);
    const key = (p: Probe) => `${p.timing.key.Hostname}:${p.timing.key.Port}`;
    const stats = (name: string, f: (v: number[]) => number) => ({
      [`Poll${name}TotalSeconds`]: f(all),
      [`Poll${name}BackendSeconds`]: f(zeros(all)),
      [`Poll${name}InstanceSeconds`]: f(all),
      [`PollFailed${name}TotalSeconds`]: f(bad),
      [`PollFailed${name}BackendSeconds`]: f(zeros(bad)),
      [`PollFailed${name}InstanceSeconds`]: f(bad),
    });
    const ends = probes.map((p) => p.endedAt);
    return {
      FirstSeen: ends.length === 0 ? ZERO_TIME : new Date(Math.min(...ends)).toISOString(),
      LastSeen: ends.length === 0 ? ZERO_TIME : new Date(Math.max(...ends)).toISOString(),
      DistinctInstanceKeys: new Set(probes.map(key)).size,
      DistinctFailedInstanceKeys: new Set(failed.map(key)).size,
      FailedDiscoveries: failed.length,
      SuccessfulDiscoveries: ok.length,
      ...stats('Avg', avg),
      ...stats('Max', max),
      ...stats('Median', median),
      ...stats('Q95', (v) => percentile(v, 95)),
    };
  }

  private lastSamples(seconds: number): { Active: number; Queued: number }[] {
    return seconds <= 0 ? [] : this.queue.slice(-seconds);
  }

  queueRaw(seconds: number): Row[] {
    return this.lastSamples(seconds);
  }

  queueAggregated(seconds: number): Row {
    const samples = this.lastSamples(seconds);
    const active = samples.map((s) => s.Active);
    const queued = samples.map((s) => s.Queued);
    return {
      ActiveMinEntries: min(active),
      ActiveMeanEntries: avg(active),
      ActiveMedianEntries: median(active),
      ActiveP95Entries: percentile(active, 95),
      ActiveMaxEntries: max(active),
      QueuedMinEntries: min(queued),
      QueuedMeanEntries: avg(queued),
      QueuedMedianEntries: median(queued),
      QueuedP95Entries: percentile(queued, 95),
      QueuedMaxEntries: max(queued),
    };
  }
}

/** `2006-01-02 15:04:05` (UTC), how the reference's backend prints analysis_timestamp. */
function dbTime(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19).replace('T', ' ');
}

/**
 * replication-analysis-changelog: each instance's analysis changes since this node started, as
 * the reference's `{AnalyzedInstanceKey, Changelog: ["<time>;<analysis>,", …]}`. Kept in memory
 * (the reference keeps it in its backend), at most 100 changes per instance and for
 * `retentionHours` (UnseenInstanceForgetHours).
 */
export class AnalysisChangelog {
  private readonly last = new Map<string, string>();
  private readonly log = new Map<
    string,
    { key: { Hostname: string; Port: number }; changes: { at: number; text: string }[] }
  >();

  constructor(private readonly retentionHours = 240) {}

  update(
    analysis: readonly { AnalyzedInstanceKey: { Hostname: string; Port: number }; Analysis: string }[],
    now: number,
  ): void {
    const seen = new Set<string>();
    const record = (id: string, key: { Hostname: string; Port: number }, code: string) => {
      if (this.last.get(id) === code) return;
      this.last.set(id, code);
      const entry = this.log.get(id) ?? { key: { ...key }, changes: [] };
      entry.changes.push({ at: now, text: `${dbTime(now)};${code},` });
      if (entry.changes.length > 100) entry.changes.shift();
      this.log.set(id, entry);
    };
    for (const a of analysis) {
      const id = `${a.AnalyzedInstanceKey.Hostname}:${a.AnalyzedInstanceKey.Port}`;
      seen.add(id);
      record(id, a.AnalyzedInstanceKey, a.Analysis);
    }
    // An instance that left the analysis has no problem any more.
    for (const [id, code] of this.last) {
      if (!seen.has(id) && code !== 'NoProblem') record(id, this.log.get(id)!.key, 'NoProblem');
    }
    const horizon = now - this.retentionHours * 3_600_000;
    for (const [id, entry] of this.log) {
      entry.changes = entry.changes.filter((c) => c.at >= horizon);
      if (entry.changes.length === 0) {
        this.log.delete(id);
        this.last.delete(id);
      }
    }
  }

  rows(): Row[] {
    return [...this.log.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([, e]) => ({ AnalyzedInstanceKey: e.key, Changelog: e.changes.map((c) => c.text) }));
  }
}
