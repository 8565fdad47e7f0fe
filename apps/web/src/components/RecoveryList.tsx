// Recoveries with their audited steps (loaded on demand) and acknowledgement.
import { useId, useState } from 'react';
import { act, get, path } from '../api';
import { keyString, type Recovery, type RecoveryStep } from '../model';
import { href } from '../routes';
import { ConfirmAction } from './Dialog';

export function RecoveryList({ recoveries, onDone }: { recoveries: Recovery[]; onDone: () => void }) {
  return (
    <ul className="recoveries">
      {recoveries.map((r) => (
        <RecoveryItem key={r.UID || r.Id} recovery={r} onDone={onDone} />
      ))}
    </ul>
  );
}

function RecoveryItem({ recovery: r, onDone }: { recovery: Recovery; onDone: () => void }) {
  const [steps, setSteps] = useState<RecoveryStep[] | undefined>(undefined);
  const [stepsError, setStepsError] = useState<string | undefined>(undefined);
  const [comment, setComment] = useState('');
  const commentId = useId();
  const analyzed = r.AnalysisEntry?.AnalyzedInstanceKey;
  // IsActive means "within its blocking period", not "running": a recovery runs until it has an end time.
  const running = !r.RecoveryEndTimestamp;
  const outcome = running ? 'running' : r.IsSuccessful ? 'successful' : 'failed';
  return (
    <li className="recovery" data-recovery={r.Id}>
      <p>
        <span className={`badge ${running ? 'warn' : r.IsSuccessful ? 'ok' : 'bad'}`}>{outcome}</span>{' '}
        <strong>#{r.Id}</strong> {r.AnalysisEntry?.Analysis ?? r.Type ?? 'recovery'}
        {analyzed ? ` on ${keyString(analyzed)}` : ''}
        {r.SuccessorKey && r.SuccessorKey.Hostname !== '' && (
          <>
            {' '}
            → promoted <strong className="mono">{keyString(r.SuccessorKey)}</strong>
          </>
        )}
      </p>
      <p className="muted">
        {r.RecoveryStartTimestamp} – {r.RecoveryEndTimestamp || '…'} by {r.ProcessingNodeHostname}
        {r.Acknowledged
          ? ` · acknowledged by ${r.AcknowledgedBy}${r.AcknowledgedComment ? `: ${r.AcknowledgedComment}` : ''}`
          : ' · not acknowledged'}
        {r.UID && (
          <>
            {' · '}
            <a href={href({ page: 'recovery', uid: r.UID })} aria-label={`timeline of recovery #${r.Id}`}>
              timeline
            </a>
          </>
        )}
      </p>
      {r.AllErrors && r.AllErrors.length > 0 && <p className="detail bad">{r.AllErrors.join('; ')}</p>}
      <div className="actions">
        {!r.Acknowledged && (
          <ConfirmAction
            label="Acknowledge"
            title={`Acknowledge recovery #${r.Id}`}
            onOpen={() => setComment('')}
            canConfirm={comment.trim() !== ''}
            run={async () =>
              (await act(`${path('ack-recovery', r.Id)}?comment=${encodeURIComponent(comment.trim())}`))
                .message
            }
            onDone={onDone}
          >
            <p>
              Acknowledging lets the next failure of this cluster recover without waiting for the block
              period.
            </p>
            <label htmlFor={commentId}>Comment</label>
            <input id={commentId} value={comment} onChange={(e) => setComment(e.target.value)} required />
          </ConfirmAction>
        )}
      </div>
      <details
        onToggle={(e) => {
          if ((e.target as HTMLDetailsElement).open && steps === undefined && r.UID) {
            get<RecoveryStep[]>(path('audit-recovery-steps', r.UID))
              .then((s) => setSteps(s ?? []))
              .catch((err: Error) => setStepsError(err.message));
          }
        }}
      >
        <summary>Steps</summary>
        {stepsError && <p className="error">{stepsError}</p>}
        {steps && (
          <ol className="steps">
            {steps.map((s) => (
              <li key={s.Id}>
                <span className="muted mono">{s.AuditAt}</span> {s.Message}
              </li>
            ))}
          </ol>
        )}
      </details>
    </li>
  );
}
