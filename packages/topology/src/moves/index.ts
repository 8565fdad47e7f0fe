// Replica moves: a pure planner (single and group moves), a checked executor and the service that
// plans on live state and runs them.
export { MoveError, type MoveErrorCode, MoveFailedError, MoveRefusedError } from './errors.js';
export {
  type AuditEntry,
  type ExecutorOptions,
  type GroupOutcome,
  MoveExecutor,
  type MoveLocks,
} from './executor.js';
export { type GroupMoveRequest, planGroupMove } from './group-planner.js';
export { planSingleMove, type SingleMoveRequest } from './planner.js';
export { View } from './rules.js';
export {
  type AnyPlan,
  isGroupKind,
  liveInstance,
  type MoveOutcome,
  type MoveReads,
  planMove,
  planSteps,
  TopologyMoves,
  type TopologyMovesOptions,
} from './service.js';
export { describeStep } from './steps.js';
export * from './types.js';
