// The leader periodically asks every node to report its health (reference §1.5
// `request-health-report`): it publishes a fresh token, each node GETs
// `<leader>/api/raft-follower-health-report/<token>/<RaftBind>/<RaftAdvertise>`, and the leader
// remembers who answered in the last 20 s — shown as RaftHealthyMembers in /api/health.

/** How long a health report counts (reference: cached 20 s). */
export const HEALTH_REPORT_TTL_MS = 20_000;

export class HealthReports {
  private readonly tokens: string[] = [];
  private readonly reporters = new Map<string, number>();
  /** raftAdvertise → the HTTP API base it reported (ours): where the leader asks it what it sees. */
  private readonly urls = new Map<string, string>();

  constructor(private readonly now: () => number = Date.now) {}

  /** A new token the leader publishes; the last few stay valid so late reports still count. */
  issueToken(token: string): void {
    this.tokens.push(token);
    if (this.tokens.length > 3) this.tokens.shift();
  }

  /** Records a report; false when the token is not one this leader issued. */
  report(token: string, raftAdvertise: string, httpURL?: string): boolean {
    if (!this.tokens.includes(token)) return false;
    this.reporters.set(raftAdvertise, this.now());
    if (httpURL) this.urls.set(raftAdvertise, httpURL);
    return true;
  }

  /** The HTTP API base a member last reported, if any. */
  httpURLOf(raftAdvertise: string): string | undefined {
    return this.urls.get(raftAdvertise);
  }

  /** Advertise addresses that reported within the TTL. */
  healthyMembers(): string[] {
    const cutoff = this.now() - HEALTH_REPORT_TTL_MS;
    return [...this.reporters]
      .filter(([, at]) => at >= cutoff)
      .map(([addr]) => addr)
      .sort();
  }
}
