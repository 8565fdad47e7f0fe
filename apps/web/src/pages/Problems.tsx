// Problems per cluster: what the (leader's) replication analysis sees, and each instance's own
// problems (replication stopped or lagging, errant GTID, …), one section per cluster.
import { get } from '../api';
import { Status } from '../components/Badges';
import { usePoll } from '../hooks';
import { type AnalysisEntry, type ClusterInfo, type Instance, keyString, parseKey } from '../model';
import { type ClusterProblems, groupProblems } from '../problems';
import { href } from '../routes';

async function loadProblems() {
  const [clusters, analysis, instances] = await Promise.all([
    get<ClusterInfo[]>('clusters-info'),
    get<AnalysisEntry[]>('replication-analysis'),
    // All of them: the problems are derived from each instance's state (problems.ts).
    get<Instance[]>('all-instances'),
  ]);
  return groupProblems(clusters ?? [], analysis ?? [], instances ?? []);
}

export function ProblemsPage() {
  const { data, error } = usePoll(loadProblems, 'problems');
  const total = (data ?? []).reduce((n, g) => n + g.count, 0);
  return (
    <section aria-labelledby="problems-title">
      <h1 id="problems-title">Problems by cluster</h1>
      <Status error={error} loading={!data && !error} />
      {data && (
        <p className={total === 0 ? 'badge ok' : 'muted'} data-testid="problems-total">
          {total === 0
            ? 'No problems analysed.'
            : `${total} problem${total === 1 ? '' : 's'} in ${data.filter((g) => g.count > 0).length} of ${data.length} clusters`}
        </p>
      )}
      {data?.map((g) => (
        <ClusterSection key={g.cluster} group={g} />
      ))}
    </section>
  );
}

function ClusterSection({ group: g }: { group: ClusterProblems }) {
  const headingId = `problems-${g.cluster}`;
  return (
    <section className="panel cluster-problems" data-cluster={g.cluster} aria-labelledby={headingId}>
      <h2 id={headingId}>
        <a href={href({ page: 'cluster', name: g.cluster })}>{g.alias}</a>
        {g.alias !== g.cluster && <span className="muted mono"> {g.cluster}</span>}{' '}
        <span className={`badge ${g.count === 0 ? 'ok' : 'bad'}`}>
          {g.count === 0 ? 'no problems' : `${g.count} problem${g.count === 1 ? '' : 's'}`}
        </span>
      </h2>
      {g.analysis.length > 0 && (
        <>
          <h3>Replication analysis</h3>
          <ul className="problem-list" aria-label={`analysis of ${g.alias}`}>
            {g.analysis.map((a) => (
              <li key={`${keyString(a.AnalyzedInstanceKey)}-${a.Analysis}`} data-analysis={a.Analysis}>
                <span className="badge bad">{a.Analysis}</span> on{' '}
                <a className="mono" href={href({ page: 'instance', key: a.AnalyzedInstanceKey })}>
                  {keyString(a.AnalyzedInstanceKey)}
                </a>
                {a.CountReplicas > 0 && <span className="muted"> · {a.CountReplicas} replicas</span>}
                {a.IsDowntimed && <span className="badge warn">downtimed</span>}
                {a.Description && <span className="muted"> — {a.Description}</span>}
              </li>
            ))}
          </ul>
        </>
      )}
      {g.instances.length > 0 && (
        <>
          <h3>Instance problems</h3>
          <ul className="problem-list" aria-label={`instance problems of ${g.alias}`}>
            {g.instances.map((i) => {
              const key = parseKey(i.key);
              return (
                <li key={i.key} data-instance-problems={i.key}>
                  {key ? (
                    <a className="mono" href={href({ page: 'instance', key })}>
                      {i.key}
                    </a>
                  ) : (
                    <span className="mono">{i.key}</span>
                  )}
                  {': '}
                  {i.problems.map((p) => (
                    <span key={p} className="badge warn">
                      {p}
                    </span>
                  ))}
                  {i.isDowntimed && <span className="muted"> (downtimed)</span>}
                </li>
              );
            })}
          </ul>
        </>
      )}
    </section>
  );
}
