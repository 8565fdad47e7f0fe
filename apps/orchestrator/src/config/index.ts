export { checkHTTPAdvertise, joinHostPort, leaderURL, normalizeNode, splitHostPort } from './addresses.js';
export { loadConfig, loadConfigFiles } from './load.js';
export {
  ConfigError,
  type ConfigProblem,
  type DerivedConfig,
  type Env,
  expandEnv,
  type ParsedConfig,
  parseConfig,
} from './parse.js';
export { type ConfigChanges, classifyChanges, NO_EFFECT_KEYS, RELOADABLE_KEYS } from './reload.js';
export { defaultConfig, KEYS, type KeyName, type KeySpec, type OrchestratorConfig } from './spec.js';
