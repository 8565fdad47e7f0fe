// A recovery as a timeline: the failure detection that started it, the recovery's start, each
// audited step, its end and its acknowledgement, with the time since the detection (or the start).
// Pure; the page loads audit-recovery/uid, audit-recovery-steps and audit-failure-detection/id.
import { keyString, type Recovery, type RecoveryStep } from './model';

export interface FailureDetection {
  Id: number;
  Analysis: string;
  Key: { Hostname: string; Port: number };
  RecoveryStartTimestamp: string;
  ProcessingNodeHostname?: string;
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

/** Steps whose message reports a failure (the engine's wording: "failed", "error", "cannot"). */
const FAILURE = /\b(fail(ed|ure)?|errors?|cannot|could not|unable)\b/i;

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
