// Replication analysis: every problem the (leader's) analysis currently sees.
import { get } from '../api';
import { Status } from '../components/Badges';
import { usePoll } from '../hooks';
import { type AnalysisEntry, isProblem, keyString } from '../model';
import { href } from '../routes';

export function ProblemsPage() {
  const { data, error } = usePoll(() => get<AnalysisEntry[]>('replication-analysis'), 'problems');
  const problems = (data ?? []).filter(isProblem);
  return (
    <section aria-labelledby="problems-title">
      <h1 id="problems-title">Replication analysis</h1>
      <Status error={error} loading={!data && !error} />
      {data && problems.length === 0 && <p className="badge ok">No problems analysed.</p>}
      {problems.length > 0 && (
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Analysis</th>
                <th scope="col">Instance</th>
                <th scope="col">Cluster</th>
                <th scope="col">Replicas</th>
                <th scope="col">Downtimed</th>
                <th scope="col">Description</th>
              </tr>
            </thead>
            <tbody>
              {problems.map((p) => (
                <tr key={`${keyString(p.AnalyzedInstanceKey)}-${p.Analysis}`}>
                  <td>
                    <span className="badge bad">{p.Analysis}</span>
                  </td>
                  <td>
                    <a href={href({ page: 'instance', key: p.AnalyzedInstanceKey })}>
                      {keyString(p.AnalyzedInstanceKey)}
                    </a>
                  </td>
                  <td>
                    <a href={href({ page: 'cluster', name: p.ClusterDetails.ClusterName })}>
                      {p.ClusterDetails.ClusterAlias || p.ClusterDetails.ClusterName}
                    </a>
                  </td>
                  <td>{p.CountReplicas}</td>
                  <td>{p.IsDowntimed ? 'yes' : 'no'}</td>
                  <td>{p.Description}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
