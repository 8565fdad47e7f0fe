// /metrics of a running 3-node cluster watching a real MariaDB topology, parsed with a real parser:
// every subsystem's series are there with sane values; the Grafana dashboard queries only metrics
// the daemon exports; elections, leader changes and detections are structured log lines.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startMariaDBTopology, type Topology } from '@orchestrator/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type Exposition,
  eventually,
  OrchestratorCluster,
  type OrchestratorNode,
  promqlMetricNames,
  scrape,
  topologyConfig,
} from '../src/index.js';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '../..');
const base = (n: OrchestratorNode) => `http://127.0.0.1:${n.httpPort}`;

/** Every JSON log line a node wrote so far (a line still being written is skipped). */
function logLines(node: OrchestratorNode): Record<string, unknown>[] {
  const lines: Record<string, unknown>[] = [];
  for (const line of node.process.output().split('\n')) {
    if (!line.startsWith('{')) continue;
    try {
      lines.push(JSON.parse(line) as Record<string, unknown>);
    } catch {
      // the tail of the output, cut mid-line
    }
  }
  return lines;
}

/** Every `expr` in a Grafana dashboard (panels, nested rows, templating queries). */
function dashboardExpressions(dashboard: unknown): string[] {
  const out: string[] = [];
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') {
      for (const [k, child] of Object.entries(v)) {
        if (k === 'expr' && typeof child === 'string') out.push(child);
        else walk(child);
      }
    }
  };
  walk(dashboard);
  return out;
}

describe('metrics and logs of a running cluster', () => {
  let topology: Topology;
  let cluster: OrchestratorCluster;
  let leader: OrchestratorNode;

  beforeAll(async () => {
    topology = await startMariaDBTopology({ replicas: 1 });
    cluster = await OrchestratorCluster.start({
      nodes: 3,
      config: () => ({
        ...topologyConfig(topology, 1),
        PostFailoverProcesses: ['echo recovered {failedHost}'],
      }),
    });
    leader = await cluster.waitForLeader();
    await cluster.waitForFollowers();
  }, 120_000);

  afterAll(async () => {
    await cluster?.destroy();
    await topology?.destroy();
  });

  it('raft: exactly one node has role leader; terms agree; commit and applied advance after a write', async () => {
    expect((await leader.get<{ Code: string }>('disable-global-recoveries')).body.Code).toBe('OK');
    await leader.get('enable-global-recoveries');
    const scraped = await eventually('every node to apply the writes', async () => {
      const all = await Promise.all(cluster.nodes.map((n) => scrape(base(n))));
      const commits = all.map((m) => m.value('orchestrator_raft_commit_index'));
      const applied = all.map((m) => m.value('orchestrator_raft_applied_index'));
      return commits.every((c, i) => c > 0 && applied[i] === c) ? all : undefined;
    });
    const leaders = scraped.filter((m) => m.value('orchestrator_raft_role', { role: 'leader' }) === 1);
    expect(leaders).toHaveLength(1);
    for (const m of scraped) {
      const roles = m.family('orchestrator_raft_role').metrics.map((s) => Number(s.value));
      expect(roles.reduce((a, b) => a + b, 0)).toBe(1);
      expect(m.value('orchestrator_raft_term')).toBe(scraped[0]!.value('orchestrator_raft_term'));
      expect(m.value('orchestrator_raft_part_of_quorum')).toBe(1);
      expect(m.value('orchestrator_raft_voters')).toBe(3);
      expect(m.value('orchestrator_raft_apply_lag_entries')).toBe(0);
      expect(m.value('orchestrator_raft_leader_changes_total')).toBeGreaterThanOrEqual(1);
      expect(m.total('orchestrator_raft_messages_received_total')).toBeGreaterThan(0);
      expect(m.total('orchestrator_raft_fsync_duration_seconds')).toBeGreaterThan(0);
      expect(m.total('orchestrator_store_apply_duration_seconds')).toBeGreaterThan(0);
      expect(m.value('orchestrator_raft_storage_fault')).toBe(0);
    }
    const lead = leaders[0]!;
    expect(lead.value('orchestrator_raft_elections_won_total')).toBeGreaterThanOrEqual(1);
    expect(lead.value('orchestrator_raft_elections_started_total', { kind: 'vote' })).toBeGreaterThanOrEqual(
      1,
    );
    expect(lead.total('orchestrator_raft_proposal_commit_duration_seconds')).toBeGreaterThan(0);
    expect(lead.value('orchestrator_raft_messages_sent_total', { type: 'append' })).toBeGreaterThan(0);
    // The leader sees both followers, recently, and caught up.
    const contact = lead.family('orchestrator_raft_peer_last_contact_seconds').metrics;
    expect(contact.map((s) => s.labels?.peer).sort()).toEqual(cluster.nodes.map((n) => n.raftAddress).sort());
    for (const s of contact) expect(Number(s.value)).toBeLessThan(5);
    for (const s of lead.family('orchestrator_raft_peer_match_lag_entries').metrics)
      expect(Number(s.value)).toBeGreaterThanOrEqual(0);
    for (const family of ['orchestrator_raft_snapshots_total', 'orchestrator_raft_messages_dropped_total'])
      expect(lead.families.has(family), family).toBe(true);
  });

  it('prober: probes grow while the topology is watched; instances by state; queue gauges', async () => {
    const first = await eventually('the topology to be probed', async () => {
      const m = await scrape(base(leader));
      return m.value('orchestrator_instances', { state: 'ok' }) === 2 ? m : undefined;
    });
    const later = await eventually('more probes', async () => {
      const m = await scrape(base(leader));
      return m.value('orchestrator_probes_total', { result: 'ok' }) >
        first.value('orchestrator_probes_total', { result: 'ok' })
        ? m
        : undefined;
    });
    expect(later.total('orchestrator_probe_duration_seconds')).toBeGreaterThan(0);
    expect(later.value('orchestrator_instances', { state: 'unreachable' })).toBe(0);
    expect(later.value('orchestrator_discovery_active')).toBe(1);
    expect(later.value('orchestrator_discovery_queue_depth')).toBeGreaterThanOrEqual(0);
    expect(later.value('orchestrator_discovery_slow_lane_instances')).toBe(0);
    expect(later.value('orchestrator_probe_errors_total', { kind: 'refused' })).toBe(0);
    expect(later.total('orchestrator_store_probe_write_duration_seconds')).toBeGreaterThan(0);
  });

  it('analysis: a stopped replica is detected, counted by code and logged as one line', async () => {
    const replica = topology.server(topology.replicas[0]!);
    await replica.query('STOP SLAVE');
    // Whatever code this node's analysis gives the cluster now, it is counted and logged once.
    const code = await eventually('a problem in the analysis', async () => {
      const r = await leader.get<{ Details?: { Analysis: string }[] }>('replication-analysis');
      const problems = (r.body.Details ?? []).filter((a) => a.Analysis !== 'NoProblem');
      return problems[0]?.Analysis;
    });
    const m = await eventually(`${code} to be counted`, async () => {
      const s = await scrape(base(leader));
      return s.families
        .get('orchestrator_analysis_detections_total')
        ?.metrics.some((x) => x.labels?.code === code)
        ? s
        : undefined;
    });
    expect(m.value('orchestrator_analysis_detections_total', { code })).toBeGreaterThanOrEqual(1);
    expect(m.value('orchestrator_analysis_problems', { code })).toBeGreaterThanOrEqual(1);
    const line = logLines(leader).find((l) => l.event === 'detection' && l.code === code);
    expect(line).toMatchObject({ level: 40 });
    expect(String(line?.instance)).toMatch(/^127\.0\.0\.1:\d+$/);
    await replica.query('START SLAVE');
    for (const family of [
      'orchestrator_recoveries_total',
      'orchestrator_recoveries_blocked_total',
      'orchestrator_recovery_duration_seconds',
      'orchestrator_failure_detections_registered_total',
    ])
      expect(m.families.has(family), family).toBe(true);
    expect(m.value('orchestrator_recoveries_total', { type: 'MasterRecovery', result: 'success' })).toBe(0);
  });

  it('recovery: a kill -9 of the master is counted by type and result, timed, and its steps and hooks logged', async () => {
    await eventually('replication to be healthy again', async () => {
      const r = await leader.get<{ Details?: { Analysis: string }[] }>('replication-analysis');
      return (r.body.Details ?? []).every((a) => a.Analysis === 'NoProblem') ? true : undefined;
    });
    await topology.kill9(topology.master);
    const m = await eventually(
      'a successful MasterRecovery in /metrics',
      async () => {
        const s = await scrape(base(leader));
        return s.value('orchestrator_recoveries_total', { type: 'MasterRecovery', result: 'success' }) >= 1
          ? s
          : undefined;
      },
      60_000,
    );
    // Only MasterRecovery has run, so the histogram's one label set is that type's.
    expect(m.observedInLabelledHistogram('orchestrator_recovery_duration_seconds')).toBeGreaterThanOrEqual(1);
    const registered = m.family('orchestrator_failure_detections_registered_total').metrics;
    expect(
      registered.some((x) => String(x.labels?.code).startsWith('DeadMaster') && Number(x.value) >= 1),
    ).toBe(true);
    const lines = logLines(leader);
    const steps = lines.filter(
      (l) => l.event === 'recovery-step' && String(l.analysis).startsWith('DeadMaster'),
    );
    expect(steps.length).toBeGreaterThan(1);
    const hook = await eventually('the PostFailoverProcesses hook run in the log', async () =>
      logLines(leader).find((l) => l.event === 'hook' && l.hookList === 'PostFailoverProcesses'),
    );
    expect(hook).toMatchObject({ exitCode: 0, timedOut: false, instance: `127.0.0.1:${topology.master}` });
    expect(steps.map((l) => l.recoveryUID)).toContain(hook?.recoveryUID);
  });

  it('process and HTTP: CPU, memory, event loop, GC and the read cache are exported', async () => {
    const m: Exposition = await scrape(base(leader));
    expect(m.value('orchestrator_process_cpu_seconds_total')).toBeGreaterThan(0);
    expect(m.value('orchestrator_process_resident_memory_bytes')).toBeGreaterThan(10 * 1024 * 1024);
    expect(m.value('orchestrator_nodejs_heap_size_used_bytes')).toBeGreaterThan(0);
    expect(m.value('orchestrator_nodejs_eventloop_lag_seconds')).toBeGreaterThanOrEqual(0);
    const elu = m.value('orchestrator_nodejs_eventloop_utilization_ratio');
    expect(elu).toBeGreaterThanOrEqual(0);
    expect(elu).toBeLessThanOrEqual(1);
    expect(m.families.has('orchestrator_nodejs_gc_duration_seconds')).toBe(true);
    expect(m.total('orchestrator_http_requests_total')).toBeGreaterThan(0);
    expect(m.families.has('orchestrator_api_read_cache_hits_total')).toBe(true);
  });

  it('every query of deploy/grafana-dashboard.json names a metric the daemon exports', async () => {
    const dashboard = JSON.parse(
      readFileSync(join(repoRoot, 'deploy/grafana-dashboard.json'), 'utf8'),
    ) as unknown;
    const expressions = dashboardExpressions(dashboard);
    expect(expressions.length).toBeGreaterThan(20);
    const exported = (await scrape(base(leader))).seriesNames();
    const unknown: string[] = [];
    for (const expr of expressions) {
      const names = promqlMetricNames(expr);
      expect(names.length, expr).toBeGreaterThan(0);
      for (const name of names) if (!exported.has(name)) unknown.push(`${name} (in ${expr})`);
    }
    // Template variables list label values of a metric (Grafana's label_values(metric, label)).
    const variables = JSON.stringify(dashboard).match(/label_values\((\w+)/g) ?? [];
    expect(variables.length).toBeGreaterThan(0);
    for (const v of variables) {
      const name = v.slice('label_values('.length);
      if (!exported.has(name)) unknown.push(`${name} (in a template variable)`);
    }
    expect(unknown).toEqual([]);
  });

  it('logs: an election, the leader change and the membership are structured lines', async () => {
    const lines = logLines(leader);
    expect(lines.some((l) => l.msg === 'raft: electionWon' && typeof l.term === 'number')).toBe(true);
    expect(
      lines.some(
        (l) => l.event === 'leader-change' && l.leader === leader.raftAddress && typeof l.term === 'number',
      ),
    ).toBe(true);
    for (const follower of cluster.nodes.filter((n) => n !== leader)) {
      expect(
        logLines(follower).some((l) => l.event === 'leader-change' && l.leader === leader.raftAddress),
      ).toBe(true);
    }
  });
});
