// One recovery as a timeline: the failure detection that started it, its start, every audited step
// with the time since the detection, its end (promoted master, errors) and its acknowledgement.
// Refreshed every 2 s, so a running recovery's steps appear as they are written.
import { get, path } from '../api';
import { Status } from '../components/Badges';
import { usePoll } from '../hooks';
import type { Recovery, RecoveryStep } from '../model';
import { href } from '../routes';
import {
  buildTimeline,
  type FailureDetection,
  findDetection,
  formatOffset,
  type Timeline,
} from '../timeline';

async function loadTimeline(uid: string): Promise<{ recovery: Recovery; timeline: Timeline }> {
  const [found, steps] = await Promise.all([
    get<Recovery[]>(path('audit-recovery', 'uid', uid)),
    get<RecoveryStep[]>(path('audit-recovery-steps', uid)),
  ]);
  const recovery = (found ?? [])[0];
  if (!recovery) throw new Error(`No recovery with UID ${uid}`);
  // The newest page of detections holds the one that started a recent recovery.
  const detections = await get<FailureDetection[]>('audit-failure-detection').catch(() => []);
  const detection = findDetection(recovery, detections ?? []);
  return { recovery, timeline: buildTimeline(recovery, steps ?? [], detection) };
}

const KIND_LABEL = {
  detection: 'detected',
  start: 'started',
  step: 'step',
  end: 'ended',
  acknowledged: 'acknowledged',
} as const;

export function RecoveryPage({ uid }: { uid: string }) {
  const { data, error } = usePoll(() => loadTimeline(uid), `recovery:${uid}`, 2000);
  const r = data?.recovery;
  const t = data?.timeline;
  const cluster = r?.AnalysisEntry?.ClusterDetails?.ClusterName;
  return (
    <section aria-labelledby="recovery-title">
      <div className="page-head">
        <h1 id="recovery-title">
          Recovery {r ? `#${r.Id}` : ''} <span className="muted mono">{uid}</span>
        </h1>
        <p>
          <a href={href({ page: 'recoveries' })}>All recoveries</a>
          {cluster && (
            <>
              {' · cluster '}
              <a href={href({ page: 'cluster', name: cluster })}>{cluster}</a>
            </>
          )}
        </p>
      </div>
      <Status error={error} loading={!data && !error} />
      {t && r && (
        <>
          <p data-testid="recovery-outcome">
            <span
              className={`badge ${t.outcome === 'running' ? 'warn' : t.outcome === 'successful' ? 'ok' : 'bad'}`}
            >
              {t.outcome}
            </span>{' '}
            {r.AnalysisEntry?.Analysis ?? r.Type ?? 'recovery'}
            {t.durationMs !== null && (
              <span className="muted"> · {formatOffset(t.durationMs).slice(1)} from first event to end</span>
            )}
          </p>
          <ol className="timeline" aria-label="recovery timeline">
            {t.events.map((e, n) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: the events are ordered and only grow
              <li key={n} className={`event ${e.kind}${e.failed ? ' failed' : ''}`} data-kind={e.kind}>
                <span className="offset mono">{formatOffset(e.offsetMs)}</span>
                <span className={`badge ${e.failed ? 'bad' : e.kind === 'step' ? 'muted' : 'info'}`}>
                  {KIND_LABEL[e.kind]}
                </span>
                <span className="text">{e.text}</span>
                <time className="muted mono" dateTime={e.at}>
                  {e.at}
                </time>
              </li>
            ))}
          </ol>
        </>
      )}
    </section>
  );
}
