export {
  type ApiResponse,
  CLI,
  type ClusterOptions,
  eventually,
  OrchestratorCluster,
  OrchestratorNode,
} from './cluster.js';
export {
  dbaChecks,
  FailureLab,
  type FailureLabOptions,
  oldMasterUntouched,
  recoveries,
  waitForRecovery,
  watchAnalysis,
} from './failure-lab.js';
export { type HAProxy, startHAProxy } from './haproxy.js';
export { Exposition, type PrometheusFamily, promqlMetricNames, scrape } from './metrics.js';
export { topologyConfig } from './topology-config.js';
