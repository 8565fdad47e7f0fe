export * from './analysis/analyze.js';
export * from './analysis/cluster.js';
export * from './analysis/descriptions.js';
export * from './analysis/evidence.js';
export * from './analysis/types.js';
export * from './config.js';
export * from './detect.js';
export { PROBE_ERROR_KINDS, type ProbeErrorKind, probeErrorKind } from './discovery/error-kind.js';
export { DiscoveryLoop, type DiscoveryOptions, type ProbeTiming, type Timers } from './discovery/loop.js';
export * from './discovery/repository.js';
export { backoffMs, slowLaneLimit } from './discovery/schedule.js';
export * from './emergent.js';
export * from './errors.js';
export * from './gtid.js';
export * from './keys.js';
export { blankInstance } from './probe/blank.js';
export { withDeadline } from './probe/deadline.js';
export * from './probe/parse.js';
export {
  type InstanceProber,
  MySQLProber,
  type ProbeAddress,
  type ProbeRequest,
  type ProbeResult,
} from './probe/probe.js';
export { type Flavor, parseFlavor, probeStatements } from './probe/queries.js';
