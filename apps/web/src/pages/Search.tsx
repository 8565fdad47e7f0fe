// Search for an instance across every cluster by host, port, `host:port`, cluster name or alias.
// The query is in the URL (`#/search/<query>`), so a search can be bookmarked or shared.
import { useId, useState } from 'react';
import { get } from '../api';
import { Badges, Status } from '../components/Badges';
import { usePoll } from '../hooks';
import { type ClusterInfo, hasMaster, type Instance, instanceBadges, keyString } from '../model';
import { href } from '../routes';
import { searchInstances } from '../search';

async function loadAll() {
  const [instances, clusters] = await Promise.all([
    get<Instance[]>('all-instances'),
    get<ClusterInfo[]>('clusters-info'),
  ]);
  return { instances: instances ?? [], clusters: clusters ?? [] };
}

export function SearchPage({ query }: { query: string }) {
  const { data, error } = usePoll(loadAll, 'search', 5000);
  const [text, setText] = useState(query);
  const id = useId();
  const hits = data ? searchInstances(text, data.instances, data.clusters) : [];
  return (
    <section aria-labelledby="search-title">
      <h1 id="search-title">Search instances</h1>
      <search>
        <form
          className="search-form"
          onSubmit={(e) => {
            e.preventDefault();
          }}
        >
          <label htmlFor={id}>Host, port, host:port, cluster or alias</label>
          <input
            id={id}
            type="search"
            value={text}
            autoComplete="off"
            placeholder="db1, 3306, db1:3306, orders"
            onChange={(e) => {
              setText(e.target.value);
              // Keep the URL in step without a new history entry per key.
              window.history.replaceState(null, '', href({ page: 'search', query: e.target.value }));
            }}
          />
        </form>
      </search>
      <Status error={error} loading={!data && !error} />
      {data && text.trim() !== '' && (
        <p className="muted" data-testid="search-count" aria-live="polite">
          {hits.length} of {data.instances.length} instances in {data.clusters.length} clusters
        </p>
      )}
      {hits.length > 0 && (
        <div className="table-wrap">
          <table className="search-results">
            <thead>
              <tr>
                <th scope="col">Instance</th>
                <th scope="col">Cluster</th>
                <th scope="col">Role</th>
                <th scope="col">State</th>
                <th scope="col">Matched</th>
              </tr>
            </thead>
            <tbody>
              {hits.map((h) => (
                <tr key={keyString(h.instance.Key)} data-hit={keyString(h.instance.Key)}>
                  <td>
                    <a className="mono" href={href({ page: 'instance', key: h.instance.Key })}>
                      {keyString(h.instance.Key)}
                    </a>
                  </td>
                  <td>
                    <a href={href({ page: 'cluster', name: h.cluster })}>{h.alias}</a>
                    {h.alias !== h.cluster && <span className="muted mono"> {h.cluster}</span>}
                  </td>
                  <td>
                    {hasMaster(h.instance) ? `replica of ${keyString(h.instance.MasterKey)}` : 'master'}
                  </td>
                  <td>
                    <Badges badges={instanceBadges(h.instance).slice(0, 2)} />
                  </td>
                  <td>{h.matched.join(', ')}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {data && text.trim() !== '' && hits.length === 0 && <p className="muted">No instance matches.</p>}
    </section>
  );
}
