export { checkHTTPAdvertise, joinHostPort, leaderURL, normalizeNode, splitHostPort } from './addresses.js';
export { loadConfig } from './load.js';
export {
  ConfigError,
  type ConfigProblem,
  type DerivedConfig,
  type Env,
  expandEnv,
  type ParsedConfig,
  parseConfig,
} from './parse.js';
export { defaultConfig, KEYS, type KeyName, type KeySpec, type OrchestratorConfig } from './spec.js';
