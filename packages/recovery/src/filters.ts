// Cluster and hostname filters (reference §5.1 gate 4, PromotionIgnoreHostnameFilters).

/**
 * RecoverMasterClusterFilters / RecoverIntermediateMasterClusterFilters semantics: a filter matches
 * the exact cluster name or alias; `alias=X` matches alias X exactly; `alias~=re` matches the alias
 * by regex; `*` matches everything; anything else is a regex on the cluster name. An invalid regex
 * never matches (validateRecoveryConfig reports it).
 */
export function clusterMatchesFilters(
  filters: readonly string[],
  clusterName: string,
  clusterAlias: string,
): boolean {
  return filters.some((filter) => clusterMatchesFilter(filter, clusterName, clusterAlias));
}

export function clusterMatchesFilter(filter: string, clusterName: string, clusterAlias: string): boolean {
  if (filter === '*') return true;
  if (filter === clusterName || (clusterAlias !== '' && filter === clusterAlias)) return true;
  if (filter.startsWith('alias=')) return clusterAlias !== '' && filter.slice(6) === clusterAlias;
  if (filter.startsWith('alias~=')) return clusterAlias !== '' && safeTest(filter.slice(7), clusterAlias);
  return safeTest(filter, clusterName);
}

/** Hostname filters are regexes on the hostname (orchestrator's RegexpMatchPatterns). */
export function hostnameMatchesFilters(filters: readonly string[], hostname: string): boolean {
  return filters.some((filter) => safeTest(filter, hostname));
}

function safeTest(pattern: string, value: string): boolean {
  try {
    return new RegExp(pattern).test(value);
  } catch {
    return false;
  }
}
