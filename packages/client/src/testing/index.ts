// Test support shared with other packages' tests (e.g. running the fixtures against the daemon).

export {
  type FakeClusterOptions,
  FakeOrchestratorCluster,
  type FakeResponse,
  type FakeRoute,
  isLocalRoute,
  type RecordedRequest,
} from './fake-orchestrator.js';
export { COMMAND_FIXTURES, type CommandFixture, type ExpectedRequest } from './fixtures/index.js';
export { type CliRun, runCli } from './run-cli.js';
export * as samples from './samples.js';
export { shapeMismatches } from './shape.js';
