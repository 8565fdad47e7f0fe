// Glue for the daemon: read the local view and context, analyse, run emergent operations.
import { type AnalyzeParams, analyze } from './analysis/analyze.js';
import type { AnalysisContext, ReplicationAnalysis } from './analysis/types.js';
import type { AnalysisContextSource, InstanceRepository } from './discovery/repository.js';
import type { EmergentExecutor } from './emergent.js';

export interface DetectDeps {
  repository: Pick<InstanceRepository, 'readAll'>;
  context?: AnalysisContextSource;
  config: AnalyzeParams['config'];
  emergent?: EmergentExecutor;
  /** DiscoveryLoop.binlogUnchangedSince(): lets LockedSemiSyncMasterHypothesis become LockedSemiSyncMaster. */
  binlogUnchangedSince?: () => ReadonlyMap<string, number>;
  now?: () => number;
}

/** One detection pass: the same as analyze() over the repository, plus emergent actions. */
export async function detect(deps: DetectDeps): Promise<ReplicationAnalysis[]> {
  const now = (deps.now ?? Date.now)();
  const noContext: AnalysisContext = {};
  const [instances, context] = await Promise.all([
    deps.repository.readAll(),
    deps.context?.analysisContext(now) ?? noContext,
  ]);
  const binlogUnchangedSince = context.binlogUnchangedSince ?? deps.binlogUnchangedSince?.();
  const entries = analyze(instances, { ...context, binlogUnchangedSince, config: deps.config, now });
  if (deps.emergent) await deps.emergent.run(entries, now);
  return entries;
}
