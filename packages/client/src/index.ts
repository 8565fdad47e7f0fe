export { type CliOptions, parseArgs } from './cli/args.js';
export { COMMANDS } from './cli/commands/index.js';
export { type CliIO, helpText, main } from './cli/main.js';
export {
  type InstanceCommand,
  type MoveBelowCommand,
  type MoveCommand,
  type MoveReplicasCommand,
  OrchestratorClient,
  type TopologyVariant,
} from './client.js';
export { type CallOptions, type ClientOptions, DEFAULT_RETRY_DELAYS_MS } from './connection.js';
export { interpretAnswer, isEnvelope } from './envelope.js';
export {
  ApiError,
  ClientError,
  CommandFailedError,
  InvalidResponseError,
  type LeaderProbeAnswer,
  NoLeaderError,
  UnauthorizedError,
  UnreachableError,
  UsageError,
} from './errors.js';
export { DEFAULT_MYSQL_PORT, formatKey, isInstanceKey, keyOf, parseInstanceKey } from './keys.js';
export { detectLeader, type LeaderProbe } from './leader.js';
export { isIdempotentRoute } from './routes.js';
export type { FetchLike } from './transport.js';
export type * from './types.js';
export { DEFAULT_API, normalizeApiUrl, parseApiList } from './url.js';
