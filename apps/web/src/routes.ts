// Hash routes (`#/cluster/<name>`): the daemon serves one index.html, so the URL after `#` is ours.
import { type InstanceKey, parseKey } from './model';

export type Route =
  | { page: 'clusters' }
  | { page: 'cluster'; name: string }
  | { page: 'instance'; key: InstanceKey }
  | { page: 'problems' }
  | { page: 'recoveries' }
  | { page: 'recovery'; uid: string }
  | { page: 'search'; query: string }
  | { page: 'raft' }
  | { page: 'not-found'; hash: string };

export function parseRoute(hash: string): Route {
  const parts = hash
    .replace(/^#\/?/, '')
    .split('/')
    .filter((p) => p !== '')
    .map((p) => {
      try {
        return decodeURIComponent(p);
      } catch {
        return p;
      }
    });
  const [page, arg] = parts;
  if (page === undefined || page === 'clusters') return { page: 'clusters' };
  if (page === 'cluster' && arg) return { page: 'cluster', name: arg };
  if (page === 'instance' && arg) {
    const key = parseKey(arg);
    if (key) return { page: 'instance', key };
  }
  if (page === 'recovery' && arg) return { page: 'recovery', uid: arg };
  // `#/search` alone is the empty search page; a query may contain slashes only percent-encoded.
  if (page === 'search') return { page: 'search', query: arg ?? '' };
  if (page === 'problems' || page === 'recoveries' || page === 'raft') return { page };
  return { page: 'not-found', hash };
}

export function href(route: Exclude<Route, { page: 'not-found' }>): string {
  switch (route.page) {
    case 'cluster':
      return `#/cluster/${encodeURIComponent(route.name)}`;
    case 'instance':
      return `#/instance/${encodeURIComponent(`${route.key.Hostname}:${route.key.Port}`)}`;
    case 'recovery':
      return `#/recovery/${encodeURIComponent(route.uid)}`;
    case 'search':
      return route.query === '' ? '#/search' : `#/search/${encodeURIComponent(route.query)}`;
    default:
      return `#/${route.page}`;
  }
}
