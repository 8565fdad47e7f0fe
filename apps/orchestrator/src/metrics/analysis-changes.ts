// What changed between two analysis passes: the problems (instance, code) that appeared and those
// that cleared. Pure, so what the daemon logs and counts as a detection is decided here and tested.
import type { ReplicationAnalysis } from '@orchestrator/prober';

export interface DetectedProblem {
  readonly key: string;
  readonly code: string;
  readonly instance: string;
  readonly cluster: string;
  readonly description: string;
}

export interface AnalysisChanges {
  readonly detected: readonly DetectedProblem[];
  /** Problems of the previous pass that are gone: `{instance, code}`. */
  readonly cleared: readonly { readonly instance: string; readonly code: string }[];
  /** Feed this back as `previous` for the next pass. */
  readonly current: ReadonlyMap<string, DetectedProblem>;
}

type AnalysisView = Pick<
  ReplicationAnalysis,
  'AnalyzedInstanceKey' | 'Analysis' | 'ClusterDetails' | 'Description'
>;

export function analysisChanges(
  previous: ReadonlyMap<string, DetectedProblem>,
  analysis: readonly AnalysisView[],
): AnalysisChanges {
  const current = new Map<string, DetectedProblem>();
  const detected: DetectedProblem[] = [];
  for (const a of analysis) {
    if (a.Analysis === 'NoProblem') continue;
    const instance = `${a.AnalyzedInstanceKey.Hostname}:${a.AnalyzedInstanceKey.Port}`;
    const key = `${instance} ${a.Analysis}`;
    if (current.has(key)) continue;
    const problem: DetectedProblem = {
      key,
      code: a.Analysis,
      instance,
      cluster: a.ClusterDetails.ClusterName,
      description: a.Description,
    };
    current.set(key, problem);
    if (!previous.has(key)) detected.push(problem);
  }
  const cleared: { instance: string; code: string }[] = [];
  for (const [key, p] of previous)
    if (!current.has(key)) cleared.push({ instance: p.instance, code: p.code });
  return { detected, cleared, current };
}
