// A cluster's topology as a tree (master → replicas → their replicas), refreshed every second. When
// the cluster's master was replaced by a recovery, the page follows the promoted master's cluster.
import { useEffect } from 'react';
import { get, path } from '../api';
import { BadgeDetails, Badges, Status } from '../components/Badges';
import { type DragMove, useDragMove } from '../components/DragMove';
import { InstanceActions } from '../components/InstanceActions';
import { RecoveryList } from '../components/RecoveryList';
import { usePoll } from '../hooks';
import {
  type AnalysisEntry,
  buildTree,
  clusterMaster,
  type Instance,
  type InstanceKey,
  instanceBadges,
  isProblem,
  keyString,
  type Recovery,
  type TreeNode,
} from '../model';
import { instanceProblems } from '../problems';
import { href } from '../routes';
import { useSession } from '../session';

interface ClusterView {
  instances: Instance[];
  maintenance: Set<string>;
  analysis: AnalysisEntry[];
  recoveries: Recovery[];
  /** The cluster a recovery moved this cluster's master role to, when it differs. */
  movedTo: string | undefined;
}

async function loadCluster(name: string): Promise<ClusterView> {
  const [instances, maintenance, analysis, recoveries] = await Promise.all([
    get<Instance[]>(path('cluster', name)),
    get<{ Key: InstanceKey }[]>('maintenance').catch(() => []),
    get<AnalysisEntry[]>(path('replication-analysis', name)).catch(() => []),
    get<Recovery[]>('audit-recovery').catch(() => []),
  ]);
  const members = new Set((instances ?? []).map((i) => keyString(i.Key)));
  const relevant = (recoveries ?? []).filter(
    (r) =>
      r.AnalysisEntry?.ClusterDetails?.ClusterName === name ||
      (r.AnalysisEntry?.AnalyzedInstanceKey && members.has(keyString(r.AnalysisEntry.AnalyzedInstanceKey))) ||
      (r.SuccessorKey !== null && members.has(keyString(r.SuccessorKey))),
  );
  let movedTo: string | undefined;
  const latest = relevant.find((r) => r.IsSuccessful && r.SuccessorKey !== null);
  if (latest?.SuccessorKey && !members.has(keyString(latest.SuccessorKey))) {
    const successor = await get<Instance>(
      path('instance', latest.SuccessorKey.Hostname, latest.SuccessorKey.Port),
    ).catch(() => undefined);
    if (successor?.ClusterName && successor.ClusterName !== name) movedTo = successor.ClusterName;
  }
  return {
    instances: instances ?? [],
    maintenance: new Set((maintenance ?? []).map((m) => keyString(m.Key))),
    analysis: (analysis ?? []).filter(isProblem),
    recoveries: relevant.slice(0, 5),
    movedTo,
  };
}

export function TopologyPage({ name }: { name: string }) {
  const { data, error, reload } = usePoll(() => loadCluster(name), `cluster:${name}`, 1000);
  const movedTo = data?.movedTo;
  useEffect(() => {
    // The master role moved to another cluster name (failover): follow it.
    if (movedTo) window.location.replace(href({ page: 'cluster', name: movedTo }));
  }, [movedTo]);
  const master = data ? clusterMaster(data.instances) : undefined;
  const trees = data ? buildTree(data.instances) : [];
  const drag = useDragMove(data?.instances ?? [], reload);
  const { canWrite } = useSession();
  return (
    <section aria-labelledby="topology-title">
      <div className="page-head">
        <h1 id="topology-title">
          Cluster <span className="mono">{name}</span>
        </h1>
        <p className="muted">
          {data ? `${data.instances.length} instances` : ''} · master{' '}
          <strong data-testid="cluster-master">{master ? keyString(master.Key) : 'unknown'}</strong>
        </p>
      </div>
      <Status error={error} loading={!data && !error} />
      {data && data.analysis.length > 0 && (
        <div className="panel problems" role="status">
          <h2>Problems</h2>
          <ul>
            {data.analysis.map((a) => (
              <li key={`${keyString(a.AnalyzedInstanceKey)}-${a.Analysis}`}>
                <strong>{a.Analysis}</strong> on {keyString(a.AnalyzedInstanceKey)}
                {a.IsDowntimed ? ' (downtimed)' : ''} {a.Description ? `— ${a.Description}` : ''}
              </li>
            ))}
          </ul>
        </div>
      )}
      {data && (
        <ul className="tree" aria-label="replication topology">
          {trees.map((t) => (
            <TreeItem
              key={keyString(t.instance.Key)}
              node={t}
              view={data}
              master={master}
              drag={drag}
              onDone={reload}
            />
          ))}
        </ul>
      )}
      {data && canWrite && (
        <p className="muted hint">Drag a replica onto its new master to see the plan of the move.</p>
      )}
      {drag.dialog}
      {data && data.recoveries.length > 0 && (
        <div className="panel">
          <h2>Recent recoveries</h2>
          <RecoveryList recoveries={data.recoveries} onDone={reload} />
        </div>
      )}
    </section>
  );
}

function TreeItem({
  node,
  view,
  master,
  drag,
  onDone,
}: {
  node: TreeNode;
  view: ClusterView;
  master: Instance | undefined;
  drag: DragMove;
  onDone: () => void;
}) {
  const i = node.instance;
  const key = keyString(i.Key);
  const badges = instanceBadges(i, view.maintenance.has(key));
  const problems = instanceProblems(i);
  const role =
    i.MasterKey.Hostname === '' ? 'master' : node.children.length > 0 ? 'intermediate master' : 'replica';
  return (
    <li className="tree-node">
      <article
        className={`instance ${badges.some((b) => b.kind === 'bad') ? 'is-bad' : ''}`}
        data-instance={key}
        {...drag.cardProps(i)}
      >
        <header>
          <a href={href({ page: 'instance', key: i.Key })} className="mono instance-key">
            {key}
          </a>
          <span className="role">{role}</span>
        </header>
        <Badges badges={badges} />
        <BadgeDetails badges={badges} />
        {problems.length > 0 && <p className="detail warn">problems: {problems.join(', ')}</p>}
        <InstanceActions instance={i} cluster={view.instances} master={master} onDone={onDone} compact />
      </article>
      {node.children.length > 0 && (
        <ul className="subtree">
          {node.children.map((c) => (
            <TreeItem
              key={keyString(c.instance.Key)}
              node={c}
              view={view}
              master={master}
              drag={drag}
              onDone={onDone}
            />
          ))}
        </ul>
      )}
    </li>
  );
}
