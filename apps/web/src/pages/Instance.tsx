// One instance: its state, replication, GTID and the actions on it.
import { get, path } from '../api';
import { BadgeDetails, Badges, Status } from '../components/Badges';
import { InstanceActions } from '../components/InstanceActions';
import { usePoll } from '../hooks';
import {
  clusterMaster,
  gtidLabel,
  type Instance,
  type InstanceKey,
  instanceBadges,
  keyString,
  lagSeconds,
} from '../model';
import { href } from '../routes';

async function loadInstance(key: InstanceKey) {
  const instance = await get<Instance>(path('instance', key.Hostname, key.Port));
  const [cluster, maintenance] = await Promise.all([
    instance.ClusterName ? get<Instance[]>(path('cluster', instance.ClusterName)).catch(() => []) : [],
    get<{ Key: InstanceKey }[]>('maintenance').catch(() => []),
  ]);
  return {
    instance,
    cluster: cluster ?? [],
    inMaintenance: (maintenance ?? []).some((m) => keyString(m.Key) === keyString(key)),
  };
}

export function InstancePage({ instanceKey }: { instanceKey: InstanceKey }) {
  const name = keyString(instanceKey);
  const { data, error, reload } = usePoll(() => loadInstance(instanceKey), `instance:${name}`);
  const i = data?.instance;
  const badges = i ? instanceBadges(i, data.inMaintenance) : [];
  const lag = i ? lagSeconds(i) : null;
  return (
    <section aria-labelledby="instance-title">
      <div className="page-head">
        <h1 id="instance-title">
          Instance <span className="mono">{name}</span>
        </h1>
        {i?.ClusterName && (
          <p>
            cluster <a href={href({ page: 'cluster', name: i.ClusterName })}>{i.ClusterName}</a>
          </p>
        )}
      </div>
      <Status error={error} loading={!data && !error} />
      {i && data && (
        <>
          <Badges badges={badges} />
          <BadgeDetails badges={badges} />
          <InstanceActions
            instance={i}
            cluster={data.cluster}
            master={clusterMaster(data.cluster)}
            onDone={reload}
          />
          <dl className="facts">
            <Fact label="Master">
              {i.MasterKey.Hostname ? (
                <a href={href({ page: 'instance', key: i.MasterKey })}>{keyString(i.MasterKey)}</a>
              ) : (
                'none (this is a master)'
              )}
            </Fact>
            <Fact label="Version">{`${i.Version} ${String(i.VersionComment ?? '')}`}</Fact>
            <Fact label="Server ID">{String(i.ServerID ?? '')}</Fact>
            <Fact label="read_only">{i.ReadOnly ? 'ON' : 'OFF'}</Fact>
            <Fact label="GTID">{gtidLabel(i) || 'not used'}</Fact>
            {i.MasterKey.Hostname !== '' && (
              <>
                <Fact label="IO thread">{i.ReplicationIOThreadRuning ? 'running' : 'stopped'}</Fact>
                <Fact label="SQL thread">{i.ReplicationSQLThreadRuning ? 'running' : 'stopped'}</Fact>
                <Fact label="Lag">{lag === null ? 'unknown' : `${lag}s`}</Fact>
                <Fact label="Last IO error">{i.LastIOError || 'none'}</Fact>
                <Fact label="Last SQL error">{i.LastSQLError || 'none'}</Fact>
              </>
            )}
            <Fact label="Replicas">{String((i.Replicas as unknown[] | undefined)?.length ?? 0)}</Fact>
            <Fact label="Promotion rule">{i.PromotionRule}</Fact>
            <Fact label="Downtime">
              {i.IsDowntimed ? `${i.DowntimeReason} until ${i.DowntimeEndTimestamp}` : 'no'}
            </Fact>
            <Fact label="Last check">{i.IsLastCheckValid ? 'valid' : 'failed'}</Fact>
            <Fact label="Last seen">{i.LastSeenTimestamp || 'never'}</Fact>
            {i.MariaDBGtidCurrentPos ? (
              <Fact label="gtid_current_pos">{String(i.MariaDBGtidCurrentPos)}</Fact>
            ) : null}
            {i.ExecutedGtidSet ? <Fact label="Executed GTID set">{String(i.ExecutedGtidSet)}</Fact> : null}
          </dl>
        </>
      )}
    </section>
  );
}

function Fact({ label, children }: { label: string; children: React.ReactNode }) {
  return (
    <div>
      <dt>{label}</dt>
      <dd>{children}</dd>
    </div>
  );
}
