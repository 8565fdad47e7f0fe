// The instance model lives in @orchestrator/model (no native modules), re-exported here.
export * from '@orchestrator/model';
