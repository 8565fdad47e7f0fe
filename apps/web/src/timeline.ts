// A recovery as a timeline: the failure detection that started it, the recovery's start, each
// audited step, its end and its acknowledgement, with the time since the detection (or the start).
// Pure; the page loads audit-recovery/uid, audit-recovery-steps and audit-failure-detection.
import { keyString, type Recovery, type RecoveryStep } from './model';

export interface FailureDetection {
  Id: number;
  Analysis: string;
  Key: { Hostname: string; Port: number };
  RecoveryStartTimestamp: string;
  ProcessingNodeHostname?: string;
}

/**
 * The failure detection that started `recovery`: the one its LastDetectionId names, else the newest
 * detection of the same analysis on the same instance registered before the recovery started.
 */
export function findDetection(
  recovery: Recovery,
  detections: readonly FailureDetection[],
): FailureDetection | undefined {
  if (recovery.LastDetectionId) {
    const byId = detections.find((d) => d.Id === recovery.LastDetectionId);
    if (byId) return byId;
  }
  const analyzed = recovery.AnalysisEntry?.AnalyzedInstanceKey;
  const start = time(recovery.RecoveryStartTimestamp);
  if (!analyzed || start === null) return undefined;
  return detections
    .filter(
      (d) =>
        keyString(d.Key) === keyString(analyzed) &&
        d.Analysis === recovery.AnalysisEntry?.Analysis &&
        (time(d.RecoveryStartTimestamp) ?? Number.POSITIVE_INFINITY) <= start,
    )
    .sort((a, b) => (time(b.RecoveryStartTimestamp) ?? 0) - (time(a.RecoveryStartTimestamp) ?? 0))[0];
}

export type TimelineKind = 'detection' | 'start' | 'step' | 'end' | 'acknowledged';

export interface TimelineEvent {
  kind: TimelineKind;
  /** ISO timestamp as the API gave it ('' when unknown). */
  at: string;
  /** Milliseconds since the timeline's first event (null when `at` is unknown). */
  offsetMs: number | null;
  text: string;
  /** Failed steps and the end of a failed recovery. */
  failed?: boolean;
}

export interface Timeline {
  events: TimelineEvent[];
  /** From the first event to the recovery's end (null while running). */
  durationMs: number | null;
  outcome: 'running' | 'successful' | 'failed';
}

function time(at: string): number | null {
  if (!at) return null;
  const ms = Date.parse(at);
  return Number.isNaN(ms) ? null : ms;
}

/**
 * Steps whose message reports a failure ("could not set read_only …", "relocate …: failed: …"), not
 * those that only name one ("lost-in-recovery: failed master").
 */
const FAILURE = /\b(could not|cannot|unable to|failed to|errors?)\b|\bfailed:/i;

const KIND_ORDER: Record<TimelineKind, number> = { detection: 0, start: 1, step: 2, end: 3, acknowledged: 4 };

export function buildTimeline(
  recovery: Recovery,
  steps: readonly RecoveryStep[],
  detection?: FailureDetection,
): Timeline {
  const r = recovery;
  const outcome = !r.RecoveryEndTimestamp ? 'running' : r.IsSuccessful ? 'successful' : 'failed';
  const analyzed = r.AnalysisEntry?.AnalyzedInstanceKey;
  const what = `${r.AnalysisEntry?.Analysis || r.Type || 'recovery'}${analyzed ? ` on ${keyString(analyzed)}` : ''}`;
  const events: Omit<TimelineEvent, 'offsetMs'>[] = [];
  if (detection)
    events.push({
      kind: 'detection',
      at: detection.RecoveryStartTimestamp,
      text: `failure detected: ${detection.Analysis} on ${keyString(detection.Key)}`,
    });
  events.push({
    kind: 'start',
    at: r.RecoveryStartTimestamp,
    text: `recovery #${r.Id} started: ${what}${r.ProcessingNodeHostname ? ` (by ${r.ProcessingNodeHostname})` : ''}`,
  });
  const ordered = [...steps].sort((a, b) => (time(a.AuditAt) ?? 0) - (time(b.AuditAt) ?? 0) || a.Id - b.Id);
  for (const s of ordered)
    events.push({
      kind: 'step',
      at: s.AuditAt,
      text: s.Message,
      ...(FAILURE.test(s.Message) ? { failed: true } : {}),
    });
  if (r.RecoveryEndTimestamp) {
    const successor =
      r.SuccessorKey && r.SuccessorKey.Hostname !== '' ? `: promoted ${keyString(r.SuccessorKey)}` : '';
    const errors = r.AllErrors && r.AllErrors.length > 0 ? ` (${r.AllErrors.join('; ')})` : '';
    events.push({
      kind: 'end',
      at: r.RecoveryEndTimestamp,
      text: `recovery ${outcome}${successor}${errors}`,
      ...(outcome === 'failed' ? { failed: true } : {}),
    });
  }
  if (r.Acknowledged)
    events.push({
      kind: 'acknowledged',
      at: r.AcknowledgedAt ?? '',
      text: `acknowledged by ${r.AcknowledgedBy}${r.AcknowledgedComment ? `: ${r.AcknowledgedComment}` : ''}`,
    });
  // In time order: steps written after the end (publishing the new master to KV stores, say) show
  // after it. Ties keep the kinds' order; events without a time stay where their kind puts them.
  events.sort((a, b) => {
    const ta = time(a.at);
    const tb = time(b.at);
    if (ta !== null && tb !== null && ta !== tb) return ta - tb;
    return KIND_ORDER[a.kind] - KIND_ORDER[b.kind];
  });
  const first = events.map((e) => time(e.at)).find((t) => t !== null) ?? null;
  const end = time(r.RecoveryEndTimestamp);
  return {
    events: events.map((e) => {
      const t = time(e.at);
      return { ...e, offsetMs: t === null || first === null ? null : t - first };
    }),
    durationMs: end === null || first === null ? null : end - first,
    outcome,
  };
}

/** "+0 ms", "+850 ms", "+2.4 s", "+3m 05s". */
export function formatOffset(ms: number | null): string {
  if (ms === null) return '';
  if (ms < 1000) return `+${Math.round(ms)} ms`;
  if (ms < 60_000) return `+${(ms / 1000).toFixed(1)} s`;
  const s = Math.round(ms / 1000);
  return `+${Math.floor(s / 60)}m ${String(s % 60).padStart(2, '0')}s`;
}
