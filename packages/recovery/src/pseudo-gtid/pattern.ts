// How a Pseudo-GTID entry is recognised in a binlog (reference compilePseudoGTIDPattern,
// pseudoGTIDMatches): a regular expression, or a fixed substring; AutoPseudoGTID sets both.

export interface PseudoGtidConfig {
  /** Regular expression (or, with PseudoGTIDPatternIsFixedSubstring, a plain substring); '' = no Pseudo-GTID. */
  PseudoGTIDPattern: string;
  PseudoGTIDPatternIsFixedSubstring: boolean;
  /** Entries containing this text increase monotonically (AutoPseudoGTID: `asc:`): a search skips older files early. */
  PseudoGTIDMonotonicHint: string;
  /** Events per SHOW BINLOG EVENTS page. */
  BinlogEventsChunkSize: number;
  /** Events whose Info contains any of these are ignored when matching. */
  SkipBinlogEventsContaining: string[];
  /** The reference's AutoPseudoGTID: the leader injects entries; the three keys above are set for them. */
  AutoPseudoGTID: boolean;
}

/** The entry AutoPseudoGTID writes: `drop view if exists \`_pseudo_gtid_\`.\`_asc:<hint>\``. */
export const AUTO_PSEUDO_GTID_PATTERN = 'drop view if exists `_pseudo_gtid_`';
export const AUTO_PSEUDO_GTID_MONOTONIC_HINT = 'asc:';

/** The pattern keys in force: AutoPseudoGTID overrides them, as in the reference's config post-processing. */
export function effectivePseudoGtid<T extends Partial<PseudoGtidConfig>>(c: T): T {
  if (!c.AutoPseudoGTID) return c;
  return {
    ...c,
    PseudoGTIDPattern: AUTO_PSEUDO_GTID_PATTERN,
    PseudoGTIDPatternIsFixedSubstring: true,
    PseudoGTIDMonotonicHint: AUTO_PSEUDO_GTID_MONOTONIC_HINT,
  };
}

export function pseudoGtidConfigured(c: Partial<PseudoGtidConfig>): boolean {
  return (effectivePseudoGtid(c).PseudoGTIDPattern ?? '') !== '';
}

/**
 * A predicate on an event's Info. Throws (with the key's name) when the pattern is not a valid
 * regular expression; callers validate the config first (validatePseudoGtidConfig).
 */
export function pseudoGtidMatcher(c: Partial<PseudoGtidConfig>): (info: string) => boolean {
  const e = effectivePseudoGtid(c);
  const pattern = e.PseudoGTIDPattern ?? '';
  if (pattern === '') throw new Error('PseudoGTIDPattern not configured; cannot use Pseudo-GTID');
  if (e.PseudoGTIDPatternIsFixedSubstring) return (info) => info.includes(pattern);
  let re: RegExp;
  try {
    re = new RegExp(pattern);
  } catch (error) {
    throw new Error(`PseudoGTIDPattern is not a valid regular expression: ${(error as Error).message}`);
  }
  return (info) => re.test(info);
}

/** Every problem with the Pseudo-GTID keys, each naming the key. */
export function validatePseudoGtidConfig(c: Partial<PseudoGtidConfig>): string[] {
  const problems: string[] = [];
  if (!c.AutoPseudoGTID && c.PseudoGTIDPattern && !c.PseudoGTIDPatternIsFixedSubstring) {
    try {
      new RegExp(c.PseudoGTIDPattern);
    } catch (error) {
      problems.push(`PseudoGTIDPattern is not a valid regular expression: ${(error as Error).message}`);
    }
  }
  if (
    c.BinlogEventsChunkSize !== undefined &&
    (!Number.isInteger(c.BinlogEventsChunkSize) || c.BinlogEventsChunkSize < 1)
  )
    problems.push(
      `BinlogEventsChunkSize must be a positive integer, got ${JSON.stringify(c.BinlogEventsChunkSize)}`,
    );
  return problems;
}
