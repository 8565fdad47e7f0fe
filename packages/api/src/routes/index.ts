import type { RouteDef } from '../route.js';
import { clusterRoutes } from './clusters.js';
import { healthRoutes } from './health.js';
import { instanceRoutes } from './instances.js';
import { metaRoutes } from './meta.js';
import { monitoringRoutes } from './monitoring.js';
import { operatorRoutes } from './operator.js';
import { raftRoutes } from './raft.js';
import { recoveryRoutes } from './recoveries.js';
import { refusedRoutes } from './refused.js';
import { topologyRoutes } from './topology.js';

/** Every built-in route, in documentation order. */
export const builtinRoutes: readonly RouteDef[] = [
  ...healthRoutes,
  ...raftRoutes,
  ...instanceRoutes,
  ...clusterRoutes,
  ...topologyRoutes,
  ...operatorRoutes,
  ...recoveryRoutes,
  ...metaRoutes,
  ...monitoringRoutes,
  ...refusedRoutes,
];
