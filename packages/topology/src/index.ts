// @orchestrator/topology: replica moves (a pure planner and a checked executor) and replication control.

export * from './control/index.js';
export * from './moves/index.js';
