// Finding an instance across every cluster by host, port, `host:port`, cluster name or alias. Pure:
// the page loads all-instances and clusters-info and filters here, as the operator types.
import type { ClusterInfo, Instance } from './model';

export type MatchField = 'host' | 'port' | 'alias' | 'cluster';

export interface SearchHit {
  instance: Instance;
  cluster: string;
  alias: string;
  /** Which fields matched (for highlighting and the tests). */
  matched: MatchField[];
}

/** One term of the query: `host:port` (host part optional), a port, or text. */
type Term =
  | { kind: 'key'; host: string; port: number }
  | { kind: 'port'; port: number; text: string }
  | { kind: 'text'; text: string };

export function parseQuery(query: string): Term[] {
  return query
    .trim()
    .toLowerCase()
    .split(/\s+/)
    .filter((t) => t !== '')
    .map((t): Term => {
      const key = /^([^:]*):(\d{1,5})$/.exec(t);
      if (key) return { kind: 'key', host: key[1] ?? '', port: Number(key[2]) };
      if (/^\d{1,5}$/.test(t)) return { kind: 'port', port: Number(t), text: t };
      return { kind: 'text', text: t };
    });
}

function matchTerm(term: Term, i: Instance, alias: string): MatchField[] {
  const host = i.Key.Hostname.toLowerCase();
  const cluster = (i.ClusterName ?? '').toLowerCase();
  switch (term.kind) {
    case 'key':
      return i.Key.Port === term.port && host.includes(term.host) ? ['host', 'port'] : [];
    case 'port':
      // A number is a port, or part of a host name / alias (an IP, "db12").
      // Not the cluster name: it ends with its master's port.
      if (i.Key.Port === term.port) return ['port'];
      return textFields(term.text, host, alias, '');
    case 'text':
      return textFields(term.text, host, alias, cluster);
  }
}

function textFields(text: string, host: string, alias: string, cluster: string): MatchField[] {
  const fields: MatchField[] = [];
  if (host.includes(text)) fields.push('host');
  if (alias.includes(text)) fields.push('alias');
  if (cluster !== '' && cluster.includes(text) && !fields.includes('host')) fields.push('cluster');
  return fields;
}

/**
 * Instances matching every term of `query` (case-insensitive), sorted by cluster alias then key.
 * An empty query finds nothing.
 */
export function searchInstances(
  query: string,
  instances: readonly Instance[],
  clusters: readonly ClusterInfo[],
): SearchHit[] {
  const terms = parseQuery(query);
  if (terms.length === 0) return [];
  const aliases = new Map(clusters.map((c) => [c.ClusterName, c.ClusterAlias || c.ClusterName]));
  const hits: SearchHit[] = [];
  for (const i of instances) {
    const alias = aliases.get(i.ClusterName) ?? i.ClusterName ?? '';
    const matched = new Set<MatchField>();
    let all = true;
    for (const term of terms) {
      const fields = matchTerm(term, i, alias.toLowerCase());
      if (fields.length === 0) {
        all = false;
        break;
      }
      for (const f of fields) matched.add(f);
    }
    if (all) hits.push({ instance: i, cluster: i.ClusterName, alias, matched: [...matched] });
  }
  return hits.sort(
    (a, b) =>
      compare(a.alias, b.alias) ||
      compare(a.instance.Key.Hostname, b.instance.Key.Hostname) ||
      a.instance.Key.Port - b.instance.Key.Port,
  );
}

function compare(a: string, b: string): number {
  return a === b ? 0 : a < b ? -1 : 1;
}
