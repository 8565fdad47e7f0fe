// Clusters overview: name, alias, master, instance count, problems, recovery enabled; discovery and
// the global recoveries switch.
import { useId, useState } from 'react';
import { act, get, path } from '../api';
import { Status } from '../components/Badges';
import { ConfirmAction } from '../components/Dialog';
import { usePoll } from '../hooks';
import {
  type AnalysisEntry,
  type ClusterInfo,
  type Instance,
  keyString,
  parseKey,
  problemsByCluster,
} from '../model';
import { href } from '../routes';

interface Overview {
  clusters: ClusterInfo[];
  masters: Instance[];
  analysis: AnalysisEntry[];
  recoveries: string;
}

async function loadOverview(): Promise<Overview> {
  const [clusters, masters, analysis, recoveries] = await Promise.all([
    get<ClusterInfo[]>('clusters-info'),
    get<Instance[]>('masters'),
    get<AnalysisEntry[]>('replication-analysis'),
    get<string>('check-global-recoveries'),
  ]);
  return { clusters: clusters ?? [], masters: masters ?? [], analysis: analysis ?? [], recoveries };
}

export function ClustersPage() {
  const { data, error, reload } = usePoll(loadOverview, 'clusters');
  const problems = problemsByCluster(data?.analysis ?? []);
  return (
    <section aria-labelledby="clusters-title">
      <div className="page-head">
        <h1 id="clusters-title">Clusters</h1>
        <div className="actions">
          <Discover onDone={reload} />
          {data && <GlobalRecoveries state={data.recoveries} onDone={reload} />}
        </div>
      </div>
      <Status error={error} loading={!data && !error} />
      {data && data.clusters.length === 0 && (
        <p className="muted">No clusters known yet: discover an instance.</p>
      )}
      {data && data.clusters.length > 0 && (
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Cluster</th>
                <th scope="col">Alias</th>
                <th scope="col">Master</th>
                <th scope="col">Instances</th>
                <th scope="col">Problems</th>
                <th scope="col">Automated recovery</th>
              </tr>
            </thead>
            <tbody>
              {data.clusters.map((c) => {
                const master = data.masters.find((m) => m.ClusterName === c.ClusterName);
                const list = problems.get(c.ClusterName) ?? [];
                return (
                  <tr key={c.ClusterName}>
                    <td>
                      <a href={href({ page: 'cluster', name: c.ClusterName })}>{c.ClusterName}</a>
                    </td>
                    <td>{c.ClusterAlias}</td>
                    <td>
                      {master ? (
                        <a href={href({ page: 'instance', key: master.Key })}>{keyString(master.Key)}</a>
                      ) : (
                        <span className="muted">none</span>
                      )}
                    </td>
                    <td>{c.CountInstances}</td>
                    <td>
                      {list.length === 0 ? (
                        <span className="badge ok">none</span>
                      ) : (
                        <ul className="plain">
                          {list.map((p) => (
                            <li
                              key={`${keyString(p.AnalyzedInstanceKey)}-${p.Analysis}`}
                              className="badge bad"
                            >
                              {p.Analysis} on {keyString(p.AnalyzedInstanceKey)}
                            </li>
                          ))}
                        </ul>
                      )}
                    </td>
                    <td>
                      {c.HasAutomatedMasterRecovery ? 'master' : 'no master'}
                      {' / '}
                      {c.HasAutomatedIntermediateMasterRecovery ? 'intermediate' : 'no intermediate'}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

function Discover({ onDone }: { onDone: () => void }) {
  const [text, setText] = useState('');
  const id = useId();
  const key = parseKey(text);
  return (
    <ConfirmAction
      label="Discover…"
      title="Discover an instance"
      confirmLabel="Discover"
      canConfirm={key !== null}
      onOpen={() => setText('')}
      run={async () => (await act(path('discover', key!.Hostname, key!.Port))).message}
      onDone={onDone}
    >
      <label htmlFor={id}>Instance (host:port)</label>
      <input
        id={id}
        value={text}
        placeholder="db1.example.com:3306"
        onChange={(e) => setText(e.target.value)}
        aria-invalid={text !== '' && key === null}
      />
      {text !== '' && key === null && <p className="error">Expected host:port, e.g. db1:3306</p>}
    </ConfirmAction>
  );
}

function GlobalRecoveries({ state, onDone }: { state: string; onDone: () => void }) {
  const enabled = state !== 'disabled';
  return (
    <>
      <span className={`badge ${enabled ? 'ok' : 'warn'}`}>global recoveries {state}</span>
      <ConfirmAction
        label={enabled ? 'Disable recoveries' : 'Enable recoveries'}
        title={enabled ? 'Disable global recoveries' : 'Enable global recoveries'}
        danger={enabled}
        run={async () =>
          (await act(enabled ? 'disable-global-recoveries' : 'enable-global-recoveries')).message
        }
        onDone={onDone}
      >
        <p>
          {enabled
            ? 'No automated recovery will run on any cluster until recoveries are enabled again.'
            : 'Automated recoveries run again where the cluster filters allow them.'}
        </p>
      </ConfirmAction>
    </>
  );
}
