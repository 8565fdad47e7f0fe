// The mutating actions on one instance, each behind a confirmation dialog. Hidden for read-only users.
import { useId, useState } from 'react';
import { act, path } from '../api';
import { type Instance, type InstanceKey, keyString, PROMOTION_RULES } from '../model';
import { useSession } from '../session';
import { ConfirmAction } from './Dialog';
import { MovePlanView, useMovePlan } from './MovePlan';

interface Props {
  instance: Instance;
  /** The cluster's instances (move targets, takeover). */
  cluster: readonly Instance[];
  master: Instance | undefined;
  onDone: () => void;
  /** Only the actions that fit a tree node (promote, move). */
  compact?: boolean;
}

const k = (key: InstanceKey) => [key.Hostname, key.Port] as const;

export function InstanceActions({ instance, cluster, master, onDone, compact }: Props) {
  const { canWrite } = useSession();
  if (!canWrite) return null;
  const key = instance.Key;
  const isMasterReplica = master !== undefined && keyString(instance.MasterKey) === keyString(master.Key);
  return (
    <div className="actions">
      {isMasterReplica && master && <Takeover master={master} target={instance} onDone={onDone} />}
      {instance.MasterKey.Hostname !== '' && (
        <MoveReplica instance={instance} cluster={cluster} onDone={onDone} />
      )}
      {!compact && (
        <>
          {instance.IsDowntimed ? (
            <ConfirmAction
              label="End downtime"
              title={`End downtime of ${keyString(key)}`}
              run={async () => (await act(path('end-downtime', ...k(key)))).message}
              onDone={onDone}
            >
              <p>Recoveries involving this instance will no longer be muted.</p>
            </ConfirmAction>
          ) : (
            <BeginDowntime instanceKey={key} onDone={onDone} />
          )}
          <RegisterCandidate instanceKey={key} current={instance.PromotionRule} onDone={onDone} />
          <ConfirmAction
            label="Recover"
            title={`Recover ${keyString(key)}`}
            danger
            run={async () => (await act(path('recover', ...k(key)))).message}
            onDone={onDone}
          >
            <p>
              Runs a recovery for the failure analysed on <strong>{keyString(key)}</strong> now (refused when
              no recoverable failure is analysed).
            </p>
          </ConfirmAction>
          <ConfirmAction
            label="Forget"
            title={`Forget ${keyString(key)}`}
            danger
            run={async () => (await act(path('forget', ...k(key)))).message}
            onDone={() => {
              // Its page would only say it is unknown now.
              window.location.hash = '#/clusters';
            }}
          >
            <p>
              Removes <strong>{keyString(key)}</strong> from the orchestrator&apos;s records. It is
              rediscovered if it is still replicating in a known topology.
            </p>
          </ConfirmAction>
        </>
      )}
    </div>
  );
}

function Takeover({ master, target, onDone }: { master: Instance; target: Instance; onDone: () => void }) {
  return (
    <ConfirmAction
      label="Promote"
      subject={keyString(target.Key)}
      title={`Graceful master takeover to ${keyString(target.Key)}`}
      confirmLabel="Take over"
      danger
      run={async () =>
        (await act(path('graceful-master-takeover', ...k(master.Key), ...k(target.Key)))).message
      }
      onDone={onDone}
    >
      <p>
        The master <strong>{keyString(master.Key)}</strong> is set read-only,{' '}
        <strong>{keyString(target.Key)}</strong> catches up and becomes the master; the other replicas move
        under it and the old master replicates from it.
      </p>
    </ConfirmAction>
  );
}

function BeginDowntime({ instanceKey, onDone }: { instanceKey: InstanceKey; onDone: () => void }) {
  const { user } = useSession();
  const [reason, setReason] = useState('maintenance');
  const [duration, setDuration] = useState('30m');
  const reasonId = useId();
  const durationId = useId();
  const valid = reason.trim() !== '' && /^([0-9]+(\.[0-9]+)?(ms|s|m|h|d|w))+$|^[0-9]+$/.test(duration.trim());
  return (
    <ConfirmAction
      label="Begin downtime"
      title={`Begin downtime of ${keyString(instanceKey)}`}
      canConfirm={valid}
      run={async () =>
        (await act(path('begin-downtime', ...k(instanceKey), user || 'web', reason.trim(), duration.trim())))
          .message
      }
      onDone={onDone}
    >
      <p>Failures of a downtimed instance are detected but not recovered automatically.</p>
      <label htmlFor={reasonId}>Reason</label>
      <input id={reasonId} value={reason} onChange={(e) => setReason(e.target.value)} required />
      <label htmlFor={durationId}>Duration (e.g. 30m, 2h)</label>
      <input id={durationId} value={duration} onChange={(e) => setDuration(e.target.value)} required />
    </ConfirmAction>
  );
}

function RegisterCandidate({
  instanceKey,
  current,
  onDone,
}: {
  instanceKey: InstanceKey;
  current: string;
  onDone: () => void;
}) {
  const [rule, setRule] = useState<string>('prefer');
  const ruleId = useId();
  return (
    <ConfirmAction
      label="Register candidate"
      title={`Promotion rule of ${keyString(instanceKey)}`}
      confirmLabel="Register"
      run={async () => (await act(path('register-candidate', ...k(instanceKey), rule))).message}
      onDone={onDone}
    >
      <p>Current rule: {current || 'neutral'}. The rule expires unless registered again.</p>
      <label htmlFor={ruleId}>New rule</label>
      <select id={ruleId} value={rule} onChange={(e) => setRule(e.target.value)}>
        {PROMOTION_RULES.map((r) => (
          <option key={r} value={r}>
            {r}
          </option>
        ))}
      </select>
    </ConfirmAction>
  );
}

/** Move a replica under a new master chosen from a list (the keyboard way; the topology page also
 * takes a drop): the plan is shown, then relocate runs. */
function MoveReplica({
  instance,
  cluster,
  onDone,
}: {
  instance: Instance;
  cluster: readonly Instance[];
  onDone: () => void;
}) {
  const [target, setTarget] = useState('');
  const selectId = useId();
  const self = keyString(instance.Key);
  const below = cluster.find((i) => keyString(i.Key) === target);
  const state = useMovePlan(cluster, instance.Key, below?.Key);
  const candidates = cluster
    .map((i) => keyString(i.Key))
    .filter((c) => c !== self && c !== keyString(instance.MasterKey));

  return (
    <ConfirmAction
      label="Move…"
      subject={self}
      title={`Move ${self} under a new master`}
      confirmLabel="Move"
      canConfirm={state.plan?.possible === true}
      onOpen={() => setTarget('')}
      run={async () => {
        if (!below) throw new Error('choose the new master first');
        return (await act(path('relocate', ...k(instance.Key), ...k(below.Key)))).message;
      }}
      onDone={onDone}
    >
      <label htmlFor={selectId}>New master</label>
      <select id={selectId} value={target} onChange={(e) => setTarget(e.target.value)}>
        <option value="">choose…</option>
        {candidates.map((c) => (
          <option key={c} value={c}>
            {c}
          </option>
        ))}
      </select>
      <MovePlanView state={state} />
    </ConfirmAction>
  );
}
