// Reference routes this orchestrator does not serve, each answered on purpose: a 500 envelope whose
// Message says why (never a bare 404), so scripts and operators see the reason. The README lists them.
import { failed } from '../errors.js';
import type { RouteDef } from '../route.js';

const AGENTS =
  'orchestrator-agent is not supported here: no agents are registered or served (the reference answers "Agents not served" unless ServeAgentsHttp is set); seed and snapshot servers with your own tooling';
const ELECTION =
  'this orchestrator elects its leader with raft only; the reference’s shared-backend election (active_node) does not exist here. Use raft-yield/:node or raft-yield-hint/:hint (orchestrator-client -c raft-elect-leader) to move leadership';

/** Every refusal, by route name: the paths it covers and the reason it answers with. */
const REFUSALS: { name: string; paths: string[]; reason: string }[] = [
  {
    name: 'agents',
    paths: [
      'agents',
      'agent/:host',
      'agent-umount/:host',
      'agent-mount/:host',
      'agent-create-snapshot/:host',
      'agent-removelv/:host',
      'agent-mysql-stop/:host',
      'agent-mysql-start/:host',
      'agent-seed/:targetHost/:sourceHost',
      'agent-active-seeds/:host',
      'agent-recent-seeds/:host',
      'agent-seed-details/:seedId',
      'agent-seed-states/:seedId',
      'agent-abort-seed/:seedId',
      'agent-custom-command/:host/:command',
      'seeds',
    ],
    reason: AGENTS,
  },
  { name: 'grab-election', paths: ['grab-election'], reason: ELECTION },
  { name: 'reelect', paths: ['reelect'], reason: ELECTION },
  {
    name: 'reload-cluster-alias',
    paths: ['reload-cluster-alias'],
    reason:
      'This API call has been retired (in the reference too): aliases come from DetectClusterAliasQuery at every probe and from set-cluster-alias',
  },
  {
    name: 'make-master',
    paths: ['make-master/:host/:port', 'make-local-master/:host/:port'],
    reason:
      'make-master and make-local-master are the reference’s legacy Pseudo-GTID promotions ("need to revisit"): use regroup-replicas to make a replica the master of its siblings, or graceful-master-takeover to replace a live master',
  },
  {
    name: 'master-equivalent',
    paths: ['master-equivalent/:host/:port/:logFile/:logPos'],
    reason:
      'binlog coordinate equivalences (master_position_equivalence) are not recorded here: moves between servers use GTID or Pseudo-GTID (relocate, match-below)',
  },
  {
    name: 'backend-query-metrics',
    paths: ['backend-query-metrics-raw/:seconds', 'backend-query-metrics-aggregated/:seconds'],
    reason:
      'backend query timings are not collected per query here; /metrics (Prometheus) has the HTTP and raft figures, and discovery-metrics-raw/:seconds the probe timings',
  },
  {
    name: 'write-buffer-metrics',
    paths: [
      'write-buffer-metrics-raw/:seconds',
      'write-buffer-metrics-aggregated/:seconds',
      'instance-buffered-write-metrics-raw/:seconds',
      'instance-buffered-write-metrics-aggregated/:seconds',
    ],
    reason:
      'instance writes are not buffered by BufferInstanceWrites here: probe results are written in batches as they arrive (at most every 100 ms), so there is no write buffer to measure',
  },
  {
    name: 'long-queries',
    paths: ['long-queries', 'long-queries/:filter'],
    reason:
      'long-queries was removed from the reference (process lists are not collected); query information_schema.processlist on the server instead',
  },
];

export const refusedRoutes: RouteDef[] = REFUSALS.map(({ name, paths, reason }) => ({
  name,
  paths,
  // Answered by whichever node is asked: no node serves them, so there is nothing to proxy.
  kind: 'local',
  refused: reason,
  handler: () => {
    throw failed(`${name}: not supported: ${reason}`, { Supported: false });
  },
}));
