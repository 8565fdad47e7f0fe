export {
  type ApiResponse,
  CLI,
  type ClusterOptions,
  eventually,
  OrchestratorCluster,
  OrchestratorNode,
} from './cluster.js';
