// The shell: navigation, the notice line for action results, and the page for the current route.
import { useEffect, useState } from 'react';
import { ClustersPage } from './pages/Clusters';
import { InstancePage } from './pages/Instance';
import { ProblemsPage } from './pages/Problems';
import { RaftPage } from './pages/Raft';
import { RecoveriesPage } from './pages/Recoveries';
import { RecoveryPage } from './pages/Recovery';
import { SearchPage } from './pages/Search';
import { TopologyPage } from './pages/Topology';
import { href, parseRoute, type Route } from './routes';
import { SessionProvider, useSession } from './session';

function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(window.location.hash));
  useEffect(() => {
    const onChange = () => setRoute(parseRoute(window.location.hash));
    window.addEventListener('hashchange', onChange);
    return () => window.removeEventListener('hashchange', onChange);
  }, []);
  return route;
}

const NAV = [
  { page: 'clusters', label: 'Clusters' },
  { page: 'problems', label: 'Problems' },
  { page: 'recoveries', label: 'Recoveries' },
  { page: 'raft', label: 'Raft' },
] as const;

export function App() {
  return (
    <SessionProvider>
      <Shell />
    </SessionProvider>
  );
}

function Shell() {
  const route = useRoute();
  const { canWrite, user, notice, notify } = useSession();
  // A new page takes the keyboard focus (screen readers announce it); an action's notice stays until
  // dismissed or replaced, so it survives the navigation an action may cause.
  useEffect(() => {
    if (route.page === 'not-found') return;
    document.getElementById('main')?.focus({ preventScroll: true });
  }, [route]);
  const current =
    route.page === 'cluster' || route.page === 'instance'
      ? 'clusters'
      : route.page === 'recovery'
        ? 'recoveries'
        : route.page;
  return (
    <>
      <button type="button" className="skip" onClick={() => document.getElementById('main')?.focus()}>
        Skip to content
      </button>
      <header className="top">
        <a className="brand" href="#/clusters">
          orchestrator
        </a>
        <nav aria-label="main">
          <ul>
            {NAV.map((n) => (
              <li key={n.page}>
                <a href={`#/${n.page}`} aria-current={current === n.page ? 'page' : undefined}>
                  {n.label}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <HeaderSearch />
        <span className="who">
          {user ? `${user} · ` : ''}
          {canWrite ? 'read-write' : 'read-only'}
        </span>
      </header>
      <div className="notice" aria-live="polite">
        {notice && (
          <p
            className={notice.kind === 'ok' ? 'ok' : 'error'}
            role={notice.kind === 'error' ? 'alert' : 'status'}
          >
            {notice.text}{' '}
            <button type="button" className="link" onClick={() => notify(undefined)} aria-label="dismiss">
              ×
            </button>
          </p>
        )}
      </div>
      <main id="main" tabIndex={-1}>
        <Page route={route} />
      </main>
    </>
  );
}

function Page({ route }: { route: Route }) {
  switch (route.page) {
    case 'clusters':
      return <ClustersPage />;
    case 'cluster':
      return <TopologyPage key={route.name} name={route.name} />;
    case 'instance':
      return <InstancePage key={`${route.key.Hostname}:${route.key.Port}`} instanceKey={route.key} />;
    case 'problems':
      return <ProblemsPage />;
    case 'recoveries':
      return <RecoveriesPage />;
    case 'recovery':
      return <RecoveryPage key={route.uid} uid={route.uid} />;
    case 'search':
      return <SearchPage key={route.query} query={route.query} />;
    case 'raft':
      return <RaftPage />;
    default:
      return (
        <section>
          <h1>Not found</h1>
          <p>
            No page at <code>{route.hash}</code>. <a href="#/clusters">Clusters</a>
          </p>
        </section>
      );
  }
}

/** Search from any page: Enter opens the search page with the query. */
function HeaderSearch() {
  const [text, setText] = useState('');
  return (
    <search className="header-search">
      <form
        onSubmit={(e) => {
          e.preventDefault();
          window.location.hash = href({ page: 'search', query: text.trim() });
          setText('');
        }}
      >
        <input
          type="search"
          value={text}
          aria-label="Search instances"
          placeholder="Search host, port, alias…"
          onChange={(e) => setText(e.target.value)}
        />
      </form>
    </search>
  );
}
