// What operators of the reference miss in its web UI, in headless Chromium against a real daemon
// watching two real MariaDB topologies (cluster "orders": a master and 2 GTID replicas; a second
// cluster: a master and 1 replica): search across clusters, problems per cluster, drag-and-drop of a
// replica onto a new master (plan, cancel, confirm; checked on MariaDB itself) and a real failover's
// recovery timeline. Screenshots: test/artifacts/operator-*.png.
import { mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startMariaDBTopology, type Topology } from '@orchestrator/testkit';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HeadlessBrowser, type WatchedPage } from '../src/browser.js';
import { eventually, OrchestratorCluster, type OrchestratorNode, topologyConfig } from '../src/index.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const ARTIFACTS = join(repoRoot, 'test/artifacts');
const FETCH_NOISE = /Failed to load resource/;
const ALIAS = 'orders';

const key = (port: number) => `127.0.0.1:${port}`;
const instanceCard = (page: Page, port: number) => page.locator(`article[data-instance="${key(port)}"]`);

function poll<T>(fn: () => T | Promise<T>, options: { timeout?: number } = {}) {
  return expect.poll(fn, { timeout: 10_000, interval: 100, ...options });
}

async function shot(page: Page, name: string): Promise<void> {
  mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: join(ARTIFACTS, name), fullPage: true });
}

interface SlaveStatus {
  Master_Port: number;
  Slave_IO_Running: string;
  Slave_SQL_Running: string;
}

describe.skipIf(!HeadlessBrowser.available())('web interface: operator features in headless Chromium', () => {
  let orders: Topology;
  let other: Topology;
  let cluster: OrchestratorCluster;
  let daemon: OrchestratorNode;
  let browser: HeadlessBrowser;
  let operator: WatchedPage;
  let web: string;

  /** What MariaDB itself says a replica replicates from. */
  async function replicatesFrom(topology: Topology, port: number): Promise<string> {
    const [s] = await topology.query<SlaveStatus>(port, 'SHOW SLAVE STATUS');
    return s ? `${s.Master_Port} ${s.Slave_IO_Running}/${s.Slave_SQL_Running}` : 'none';
  }

  beforeAll(async () => {
    [orders, other, browser] = await Promise.all([
      startMariaDBTopology({ replicas: 2 }),
      startMariaDBTopology({ replicas: 1 }),
      HeadlessBrowser.start(),
    ]);
    cluster = await OrchestratorCluster.start({
      nodes: 1,
      config: () => ({
        ...topologyConfig(orders, 1),
        DiscoverySeeds: [key(orders.master), key(other.master)],
        RecoveryPeriodBlockSeconds: 1,
      }),
    });
    daemon = await cluster.waitForLeader(30_000);
    web = `http://127.0.0.1:${daemon.httpPort}/web/`;
    await eventually(
      'both clusters to show every replica replicating',
      async () => {
        const all = await daemon.get<{ ReplicationLagSeconds: { Valid: boolean } }[]>('all-instances');
        return Array.isArray(all.body) &&
          all.body.length === 5 &&
          all.body.filter((i) => i.ReplicationLagSeconds?.Valid).length === 3
          ? true
          : undefined;
      },
      30_000,
    );
    const alias = await daemon.get(
      `set-cluster-alias/${encodeURIComponent(key(orders.master))}?alias=${ALIAS}`,
    );
    expect(alias.status).toBe(200);
    operator = await browser.newPage();
  }, 120_000);

  afterAll(async () => {
    await browser?.stop();
    await cluster?.destroy();
    await Promise.all([orders?.destroy(), other?.destroy()]);
  });

  it('search finds instances across both clusters by port, alias and host', async () => {
    const { page, errors } = operator;
    await page.goto(`${web}#/clusters`);
    // From the header on any page: a port finds the one instance listening on it.
    const replica = other.replicas[0]!;
    await page.getByRole('searchbox', { name: 'Search instances' }).fill(String(replica));
    await page.keyboard.press('Enter');
    await poll(() => page.locator('h1').textContent()).toBe('Search instances');
    const hits = page.locator('tr[data-hit]');
    await poll(() => hits.evaluateAll((rows) => rows.map((r) => r.getAttribute('data-hit')))).toEqual([
      key(replica),
    ]);
    expect(await hits.first().textContent()).toContain(`replica of ${key(other.master)}`);
    expect(page.url()).toContain(`#/search/${replica}`);

    // The alias finds every instance of that cluster and no other.
    const box = page.getByLabel('Host, port, host:port, cluster or alias');
    await box.fill(ALIAS);
    await poll(() => hits.evaluateAll((rows) => rows.map((r) => r.getAttribute('data-hit')))).toEqual(
      [orders.master, ...orders.replicas].sort((a, b) => a - b).map(key),
    );
    expect(await hits.first().textContent()).toContain('alias');
    await shot(page, 'operator-search.png');

    // The host finds all five, across the two clusters.
    await box.fill('127.0.0.1');
    await poll(() => hits.count()).toBe(5);
    const clusters = new Set(await page.locator('tr[data-hit] td:nth-child(2) a').allTextContents());
    expect(clusters).toEqual(new Set([ALIAS, key(other.master)]));
    await box.fill('no-such-host');
    await poll(() => page.getByText('No instance matches.').count()).toBe(1);

    // A hit leads to its instance.
    await box.fill(`:${orders.replicas[1]}`);
    await page.getByRole('link', { name: key(orders.replicas[1]!), exact: true }).click();
    await poll(() => page.locator('h1').textContent()).toContain(key(orders.replicas[1]!));
    expect(errors.filter((e) => !FETCH_NOISE.test(e))).toEqual([]);
  });

  it('problems page: a replica that stops replicating shows under its own cluster, and clears', async () => {
    const { page, errors } = operator;
    const replica = other.replicas[0]!;
    const section = page.locator(`section[data-cluster="${key(other.master)}"]`);
    const ordersSection = page.locator(`section[data-cluster="${key(orders.master)}"]`);
    await page.goto(`${web}#/problems`);
    await poll(() => section.textContent()).toContain('no problems');
    await other.query(replica, 'STOP SLAVE');
    try {
      await poll(() => section.locator(`[data-instance-problems="${key(replica)}"]`).textContent(), {
        timeout: 20_000,
      }).toContain('not_replicating');
      await poll(() => section.locator('[data-analysis]').count(), { timeout: 20_000 }).toBeGreaterThan(0);
      expect(await section.locator('h2 .badge').textContent()).toMatch(/\d+ problems?/);
      expect(await ordersSection.textContent()).toContain('no problems');
      // the cluster with problems comes first
      expect(await page.locator('section[data-cluster]').first().getAttribute('data-cluster')).toBe(
        key(other.master),
      );
      await shot(page, 'operator-problems.png');
    } finally {
      await other.query(replica, 'START SLAVE');
    }
    await poll(() => section.textContent(), { timeout: 20_000 }).toContain('no problems');
    expect(errors.filter((e) => !FETCH_NOISE.test(e))).toEqual([]);
  });

  it('drag a replica onto a sibling: the plan is shown, cancel changes nothing, confirm relocates it on MariaDB', async () => {
    const { page, errors } = operator;
    const [above, moved] = [orders.replicas[0]!, orders.replicas[1]!];
    await page.goto(`${web}#/cluster/${encodeURIComponent(key(orders.master))}`);
    await poll(() => instanceCard(page, moved).textContent()).toMatch(/replicating, \d+s lag/);
    const dialog = page.getByRole('dialog');

    // Drop, read the plan, cancel.
    await instanceCard(page, moved).dragTo(instanceCard(page, above));
    await poll(() => dialog.getByTestId('plan-possible').textContent(), { timeout: 15_000 }).toBe('yes');
    expect(await dialog.getByRole('heading').textContent()).toBe(`Move ${key(moved)} below ${key(above)}?`);
    expect(await dialog.getByTestId('plan-operation').textContent()).toContain(
      `relocate (move below its sibling ${key(above)}`,
    );
    expect(await dialog.getByTestId('plan-from').textContent()).toBe(key(orders.master));
    expect(await dialog.getByTestId('plan-to').textContent()).toBe(key(above));
    expect(await dialog.textContent()).toContain(`can replicate from ${key(above)}`);
    expect(await dialog.locator('ol.plan-steps li').count()).toBeGreaterThan(0);
    await shot(page, 'operator-drag-plan.png');
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    expect(await dialog.count()).toBe(0);
    // Several probe rounds later, MariaDB and the daemon still have it under the master, and no
    // relocate was audited.
    await new Promise((r) => setTimeout(r, 3000));
    expect(await replicatesFrom(orders, moved)).toBe(`${orders.master} Yes/Yes`);
    const stored = await daemon.get<{ MasterKey: { Port: number } }>(`instance/127.0.0.1/${moved}`);
    expect(stored.body.MasterKey.Port).toBe(orders.master);
    const audit = await daemon.get<{ AuditType: string }[]>(`audit/instance/127.0.0.1/${moved}`);
    expect(audit.body.map((a) => a.AuditType)).not.toContain('relocate');

    // Drop again and confirm: MariaDB replicates from the new master.
    await instanceCard(page, moved).dragTo(instanceCard(page, above));
    await poll(() => dialog.getByTestId('plan-possible').textContent(), { timeout: 15_000 }).toBe('yes');
    await dialog.getByRole('button', { name: 'Relocate' }).click();
    await poll(() => page.locator('.notice').textContent(), { timeout: 30_000 }).toContain(
      `${key(moved)} relocated below ${key(above)}`,
    );
    await poll(() => replicatesFrom(orders, moved), { timeout: 15_000 }).toBe(`${above} Yes/Yes`);
    const nested = page.locator(
      `ul.tree > li > ul.subtree > li > ul.subtree article[data-instance="${key(moved)}"]`,
    );
    await poll(() => nested.textContent(), { timeout: 15_000 }).toMatch(/replicating/);

    // A drop that would make a cycle: the plan says why, and nothing can be confirmed.
    await instanceCard(page, above).dragTo(instanceCard(page, moved));
    await poll(() => dialog.getByTestId('plan').textContent()).toContain(
      `${key(moved)} replicates from ${key(above)}: the move would make a replication cycle`,
    );
    expect(await dialog.getByRole('button', { name: 'Relocate' }).isDisabled()).toBe(true);
    await page.keyboard.press('Escape');
    expect(await dialog.count()).toBe(0);
    expect(await replicatesFrom(orders, above)).toBe(`${orders.master} Yes/Yes`);
    await shot(page, 'operator-drag-done.png');
    expect(errors.filter((e) => !FETCH_NOISE.test(e))).toEqual([]);
  });

  it("kill -9 of a master: the recovery's timeline shows detection, its audited steps and the promotion", async () => {
    const { page, errors } = operator;
    // After the drag test: master ← replicas[0] ← replicas[1]; replicas[0] is the only candidate.
    const successor = orders.replicas[0]!;
    await orders.kill9(orders.master);
    const recovery = await eventually(
      'a successful recovery of the killed master',
      async () => {
        const r =
          await daemon.get<{ UID: string; IsSuccessful: boolean; RecoveryEndTimestamp: string }[]>(
            'audit-recovery',
          );
        return Array.isArray(r.body)
          ? r.body.find((x) => x.IsSuccessful && x.RecoveryEndTimestamp !== '')
          : undefined;
      },
      45_000,
    );

    await page.goto(`${web}#/recoveries`);
    await page
      .getByRole('link', { name: /^timeline of recovery/ })
      .first()
      .click();
    await poll(() => page.url()).toContain(`#/recovery/${encodeURIComponent(recovery.UID)}`);
    const events = page.locator('ol.timeline li');
    await poll(() => page.getByTestId('recovery-outcome').textContent()).toContain('successful');
    const kinds = await events.evaluateAll((li) => li.map((e) => e.getAttribute('data-kind')));
    expect(kinds[0]).toBe('detection');
    expect(kinds[1]).toBe('start');
    expect(kinds.filter((k) => k === 'end')).toHaveLength(1); // steps written after it (KV) follow it
    expect(kinds.filter((k) => k === 'step').length).toBeGreaterThan(2);
    expect(await events.first().textContent()).toContain(`DeadMaster on ${key(orders.master)}`);
    expect(await page.locator('ol.timeline li[data-kind="end"]').textContent()).toContain(
      `promoted ${key(successor)}`,
    );
    await shot(page, 'operator-recovery-timeline.png');
    // offsets grow from +0 ms at the detection
    const offsets = await page.locator('ol.timeline li .offset').allTextContents();
    expect(offsets[0]).toBe('+0 ms');
    const ms = offsets.map((o) =>
      o.endsWith(' ms')
        ? Number(o.slice(1, -3))
        : o.endsWith(' s')
          ? Number(o.slice(1, -2)) * 1000
          : Number.NaN,
    );
    expect(
      ms.every((v, i) => !Number.isNaN(v) && (i === 0 || v >= ms[i - 1]!)),
      offsets.join(' '),
    ).toBe(true);
    expect(errors.filter((e) => !FETCH_NOISE.test(e))).toEqual([]);
  });
});
