// The web interface in headless Chromium against a real 3-node daemon cluster watching a real
// MariaDB topology (1 master, 2 GTID replicas), with AuthenticationMethod multi: an operator and the
// read-only user. Pages are opened on followers, so every API call also goes through the proxy.
// Screenshots: test/artifacts/*.png (docs/screenshots/topology.png, in the README, is a copy of one;
// set UPDATE_SCREENSHOTS=1 to refresh it).
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
const SCREENSHOTS = join(repoRoot, 'docs/screenshots');
const ADMIN = { username: 'admin', password: 'admin-secret' };
const READER = { username: 'readonly', password: 'anything' };
const AUTH = {
  authorization: `Basic ${Buffer.from(`${ADMIN.username}:${ADMIN.password}`).toString('base64')}`,
};
const FETCH_NOISE = /Failed to load resource/;

const key = (port: number) => `127.0.0.1:${port}`;
const instanceCard = (page: Page, port: number) => page.locator(`article[data-instance="${key(port)}"]`);

/** expect.poll with a timeout that suits a loaded CI machine (vitest's default is 1 s). */
function poll<T>(fn: () => T | Promise<T>, options: { timeout?: number } = {}) {
  return expect.poll(fn, { timeout: 10_000, interval: 100, ...options });
}

async function shot(page: Page, name: string, dir = ARTIFACTS): Promise<void> {
  mkdirSync(dir, { recursive: true });
  await page.screenshot({ path: join(dir, name), fullPage: true });
}

describe.skipIf(!HeadlessBrowser.available())('web interface in headless Chromium', () => {
  let topology: Topology;
  let cluster: OrchestratorCluster;
  let leader: OrchestratorNode;
  let follower: OrchestratorNode;
  let browser: HeadlessBrowser;
  let operator: WatchedPage;
  let web: string;

  beforeAll(async () => {
    [topology, browser] = await Promise.all([startMariaDBTopology({ replicas: 2 }), HeadlessBrowser.start()]);
    cluster = await OrchestratorCluster.start({
      nodes: 3,
      config: () => ({
        ...topologyConfig(topology, 1),
        RecoveryPeriodBlockSeconds: 1,
        AuthenticationMethod: 'multi',
        HTTPAuthUser: ADMIN.username,
        HTTPAuthPassword: ADMIN.password,
      }),
    });
    leader = await cluster.waitForLeader();
    for (const node of cluster.nodes) {
      await eventually(`node${node.index} to be a healthy raft member`, async () => {
        if (!node.process.running)
          throw new Error(`node${node.index} exited:\n${node.process.output().slice(-3000)}`);
        return (await node.tryGet('raft-health'))?.status === 200 ? true : undefined;
      }).catch((err: Error) => {
        throw new Error(`${err.message}\n${node.process.output().slice(-3000)}`);
      });
    }
    follower = cluster.nodes.find((n) => n !== leader)!;
    web = `http://127.0.0.1:${follower.httpPort}/web/`;
    await eventually('the cluster to show 3 replicating instances', async () => {
      const r = await leader.get<{ ReplicationLagSeconds: { Valid: boolean } }[]>(
        `cluster/${key(topology.master)}`,
        { headers: AUTH },
      );
      return Array.isArray(r.body) && r.body.filter((i) => i.ReplicationLagSeconds?.Valid).length === 2
        ? true
        : undefined;
    });
    operator = await browser.newPage({ httpCredentials: ADMIN });
  }, 90_000);

  afterAll(async () => {
    await browser?.stop();
    await cluster?.destroy();
    await topology?.destroy();
  });

  it('every node serves the app; / redirects to /web/; assets and unknown files', async () => {
    for (const node of cluster.nodes) {
      const root = await fetch(`http://127.0.0.1:${node.httpPort}/`, { redirect: 'manual', headers: AUTH });
      expect(root.status).toBe(302);
      expect(root.headers.get('location')).toBe('/web/');
      const html = await fetch(`http://127.0.0.1:${node.httpPort}/web/`, { headers: AUTH });
      expect(html.status).toBe(200);
      expect(await html.text()).toContain('<div id="root">');
    }
    expect((await fetch(web)).status).toBe(401); // the same credentials as the API
    expect((await fetch(`${web}nope.js`, { headers: AUTH })).status).toBe(404);
    expect((await fetch(`${web}../../etc/passwd`, { headers: AUTH })).status).toBe(404);
  });

  it('clusters page lists the cluster with its master and 3 instances', async () => {
    const { page, errors } = operator;
    await page.goto(`${web}#/clusters`);
    const row = page.getByRole('row').filter({ hasText: key(topology.master) });
    await row.first().waitFor();
    await poll(() => row.first().textContent()).toContain('3');
    const paint = await page.evaluate(
      () => performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? -1,
    );
    console.log(`clusters page first contentful paint: ${Math.round(paint)} ms`);
    await shot(page, 'clusters.png');

    // discover by host:port: a malformed key cannot be submitted; a known replica is re-discovered
    await page.getByRole('button', { name: 'Discover…' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Instance (host:port)').fill('no-port');
    expect(await dialog.getByRole('button', { name: 'Discover', exact: true }).isDisabled()).toBe(true);
    await dialog.getByLabel('Instance (host:port)').fill(key(topology.replicas[1]!));
    await dialog.getByRole('button', { name: 'Discover', exact: true }).click();
    await poll(() => page.locator('.notice').textContent()).toContain(key(topology.replicas[1]!));

    // global recoveries off and on again
    await page.getByRole('button', { name: 'Disable recoveries' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Disable recoveries' }).click();
    await poll(() => page.getByText('global recoveries disabled').count()).toBe(1);
    await page.getByRole('button', { name: 'Enable recoveries' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Enable recoveries' }).click();
    await poll(() => page.getByText('global recoveries enabled').count()).toBe(1);
    expect(
      (await leader.get<{ Details: string }>('check-global-recoveries', { headers: AUTH })).body.Details,
    ).toBe('enabled');
    expect(errors).toEqual([]);
  });

  it('topology page draws master → replicas with their state, also on a narrow window', async () => {
    const { page, errors } = operator;
    await page.goto(`${web}#/cluster/${encodeURIComponent(key(topology.master))}`);
    await poll(() => page.getByTestId('cluster-master').textContent()).toBe(key(topology.master));
    const master = instanceCard(page, topology.master);
    await poll(() => master.textContent()).toContain('master');
    for (const port of topology.replicas) {
      const card = instanceCard(page, port);
      await poll(() => card.textContent(), { timeout: 10_000 }).toMatch(/replicating, \d+s lag/);
      const text = (await card.textContent()) ?? '';
      expect(text).toContain('read_only');
      expect(text).toContain('MariaDB GTID');
      expect(text).toContain('MariaDB');
      // drawn under the master in the tree
      expect(
        await page.locator(`ul.tree > li > ul.subtree article[data-instance="${key(port)}"]`).count(),
      ).toBe(1);
    }
    await shot(page, 'topology.png', process.env.UPDATE_SCREENSHOTS ? SCREENSHOTS : ARTIFACTS);

    await page.setViewportSize({ width: 390, height: 800 });
    await instanceCard(page, topology.replicas[0]!).waitFor();
    const overflow = await page.evaluate<number>('document.documentElement.scrollWidth - window.innerWidth');
    expect(overflow).toBeLessThanOrEqual(0);
    await shot(page, 'topology-narrow.png');
    await page.setViewportSize({ width: 1280, height: 800 });
    expect(errors).toEqual([]);
  });

  it('instance actions by keyboard: begin and end downtime, register candidate; API errors shown plainly', async () => {
    const { page, errors } = operator;
    const replica = topology.replicas[0]!;
    await page.goto(`${web}#/instance/${encodeURIComponent(key(replica))}`);
    const begin = page.getByRole('button', { name: 'Begin downtime' });
    await begin.focus();
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Reason').fill('kernel upgrade');
    await page.keyboard.press('Enter'); // submits the dialog's form
    await poll(() => page.locator('.badges').first().textContent()).toContain('downtimed');
    await poll(() => page.locator('.notice').textContent()).toContain('Downtime begun');
    expect(await page.locator('.detail').allTextContents()).toContainEqual(
      expect.stringContaining('kernel upgrade'),
    );
    await shot(page, 'instance.png');

    await page.getByRole('button', { name: 'End downtime' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'End downtime' }).click();
    await poll(() => page.locator('.badges').first().textContent()).not.toContain('downtimed');

    await page.getByRole('button', { name: 'Register candidate' }).click();
    await page.getByRole('dialog').getByLabel('New rule').selectOption('prefer');
    await page.getByRole('dialog').getByRole('button', { name: 'Register' }).click();
    await poll(() => page.locator('.badges').first().textContent()).toContain('promotion: prefer');

    // Escape closes a dialog without acting
    await page.getByRole('button', { name: 'Forget' }).click();
    await page.keyboard.press('Escape');
    expect(await page.getByRole('dialog').count()).toBe(0);

    // recover on a healthy instance: the API refuses, the dialog says why
    await page.getByRole('button', { name: 'Recover' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Recover' }).click();
    await poll(() => page.getByRole('dialog').getByRole('alert').textContent()).toContain(
      'Recovery not attempted',
    );
    await page.getByRole('dialog').getByRole('button', { name: 'Cancel' }).click();
    expect(errors.filter((e) => !FETCH_NOISE.test(e))).toEqual([]);
  });

  it('the read-only user sees every page and no mutating action', async () => {
    const reader = await browser.newPage({ httpCredentials: READER });
    const { page, errors } = reader;
    try {
      await page.goto(`${web}#/cluster/${encodeURIComponent(key(topology.master))}`);
      await instanceCard(page, topology.replicas[1]!).waitFor();
      await poll(() => page.locator('.who').textContent()).toContain('read-only');
      // each page with what shows that its data has loaded
      const pages: [string, string][] = [
        [`#/instance/${encodeURIComponent(key(topology.replicas[0]!))}`, 'dl.facts'],
        ['#/clusters', 'tbody tr'],
        ['#/recoveries', 'main p.muted, li.recovery'],
        ['#/raft', 'tr[data-member]'],
      ];
      expect(await page.locator('main button').count()).toBe(0);
      for (const [hash, loaded] of pages) {
        await page.goto(`${web}${hash}`);
        await page.locator(loaded).first().waitFor();
        expect(await page.locator('main button').count(), hash).toBe(0);
      }
      expect(errors).toEqual([]);
    } finally {
      await reader.context.close();
    }
  });

  it('move a replica under another: the plan is previewed, then the move runs (intermediate master)', async () => {
    const { page, errors } = operator;
    const [above, moved] = [topology.replicas[0]!, topology.replicas[1]!];
    await page.goto(`${web}#/cluster/${encodeURIComponent(key(topology.master))}`);
    await instanceCard(page, moved).getByRole('button', { name: 'Move…' }).click();
    const dialog = page.getByRole('dialog');
    const options = await dialog.getByLabel('New master').locator('option').allTextContents();
    expect(options).not.toContain(key(moved));
    expect(options).not.toContain(key(topology.master)); // already its master
    const move = dialog.getByRole('button', { name: 'Move', exact: true });
    expect(await move.isDisabled()).toBe(true); // nothing runs before a plan is shown
    await dialog.getByLabel('New master').selectOption(key(above));
    const plan = dialog.getByTestId('plan');
    await poll(() => plan.textContent()).toContain('Method');
    expect(await plan.locator('li').count()).toBeGreaterThan(0);
    await shot(page, 'move-plan.png');
    await move.click();
    await poll(() => page.locator('.notice').textContent(), { timeout: 30_000 }).toContain('relocated');
    const nested = page.locator(
      `ul.tree > li > ul.subtree > li > ul.subtree article[data-instance="${key(moved)}"]`,
    );
    await poll(() => nested.textContent(), { timeout: 15_000 }).toMatch(/replicating/);
    await poll(() => instanceCard(page, above).textContent()).toContain('intermediate master');
    await shot(page, 'topology-intermediate.png');
    expect(errors.filter((e) => !FETCH_NOISE.test(e))).toEqual([]);
  });

  it('kill -9 of the master: the open topology page shows the promoted master and the recovery', async () => {
    const { page, errors } = operator;
    await page.goto(`${web}#/cluster/${encodeURIComponent(key(topology.master))}`);
    await poll(() => page.getByTestId('cluster-master').textContent()).toBe(key(topology.master));
    await new Promise((r) => setTimeout(r, 1500)); // past the recovery warm-up
    const killedAt = Date.now();
    await topology.kill9(topology.master);

    const promoted = page.getByRole('listitem').filter({ hasText: /promoted 127\.0\.0\.1:\d+/ });
    await promoted.first().waitFor({ timeout: 30_000 });
    await poll(() => page.getByTestId('cluster-master').textContent(), { timeout: 15_000 }).not.toBe(
      key(topology.master),
    );
    const successor = Number((await page.getByTestId('cluster-master').textContent())?.split(':')[1]);
    console.log(`kill -9 → the page shows the promoted master: ${Date.now() - killedAt} ms`);
    expect(topology.replicas).toContain(successor);
    expect(await promoted.first().textContent()).toContain(key(successor));
    const other = topology.replicas.find((p) => p !== successor)!;
    await poll(() => instanceCard(page, other).textContent(), { timeout: 15_000 }).toMatch(/replicating/);
    await shot(page, 'topology-after-failover.png');

    // the recovery's audited steps, then acknowledge it from the recoveries page
    await page.goto(`${web}#/recoveries`);
    const recovery = page.locator('li.recovery').filter({ hasText: 'successful' }).first();
    await recovery.getByText('Steps').click();
    await poll(() => recovery.locator('ol.steps li').count()).toBeGreaterThan(0);
    await shot(page, 'recoveries.png');
    await recovery.getByRole('button', { name: 'Acknowledge' }).click();
    await page.getByRole('dialog').getByLabel('Comment').fill('seen in the web test');
    await page.getByRole('dialog').getByRole('button', { name: 'Acknowledge' }).click();
    await poll(() => recovery.textContent()).toContain('acknowledged by admin: seen in the web test');

    // forget the dead master: its one-instance cluster leaves the overview
    await page.goto(`${web}#/instance/${encodeURIComponent(key(topology.master))}`);
    await poll(() => page.locator('.badges').first().textContent()).toContain('unreachable');
    await page.getByRole('button', { name: 'Forget' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Forget' }).click();
    await poll(() => page.locator('.notice').textContent()).toContain('Instance forgotten');
    await poll(() => page.locator('h1').textContent()).toBe('Clusters');
    await poll(() => page.getByRole('cell', { name: key(topology.master), exact: true }).count()).toBe(0);

    await page.goto(`${web}#/problems`);
    await page.locator('h1').waitFor();
    await shot(page, 'problems.png');
    expect(errors.filter((e) => !FETCH_NOISE.test(e))).toEqual([]);
  });

  it('graceful master takeover from the topology page', async () => {
    const { page, errors } = operator;
    const r = await leader.get<{ Key: { Port: number }; MasterKey: { Port: number } }[]>(
      `cluster/${key(topology.replicas[0]!)}`,
      { headers: AUTH },
    );
    const master = r.body.find((i) => i.MasterKey.Port === 0)!.Key.Port;
    expect(topology.replicas).toContain(master);
    const target = topology.replicas.find((p) => p !== master)!;
    await page.goto(`${web}#/cluster/${encodeURIComponent(key(master))}`);
    await poll(() => page.getByTestId('cluster-master').textContent()).toBe(key(master));
    await instanceCard(page, target).getByRole('button', { name: 'Promote' }).click();
    const dialog = page.getByRole('dialog');
    expect(await dialog.textContent()).toContain(key(target));
    await dialog.getByRole('button', { name: 'Take over' }).click();
    await poll(() => page.locator('.notice').textContent(), { timeout: 30_000 }).toContain(
      'graceful-master-takeover',
    );
    await poll(() => page.getByTestId('cluster-master').textContent(), { timeout: 15_000 }).toBe(key(target));
    // the demoted master is configured to replicate from the new one (not started: -auto would), drawn under it
    await poll(
      () => page.locator(`ul.tree > li > ul.subtree article[data-instance="${key(master)}"]`).count(),
      {
        timeout: 20_000,
      },
    ).toBe(1);
    await shot(page, 'topology-after-takeover.png');
    expect(errors.filter((e) => !FETCH_NOISE.test(e))).toEqual([]);
  });

  it('raft page shows every member, moves leadership from the page and follows a leader kill -9', async () => {
    const { page, errors } = operator;
    const current = await cluster.waitForLeader();
    const target = cluster.nodes.find((n) => n !== current && n !== follower)!;
    await page.goto(`${web}#/raft`);
    await poll(() => page.getByTestId('raft-leader').textContent()).toBe(current.raftAddress);
    for (const n of cluster.nodes) {
      await poll(() => page.locator(`tr[data-member="${n.raftAddress}"]`).textContent()).toMatch(
        n === current ? /Leader/ : /Follower/,
      );
    }
    expect(await page.getByTestId('local-state').textContent()).toBe(
      follower === current ? 'Leader' : 'Follower',
    );
    await shot(page, 'raft.png');

    await page
      .locator(`tr[data-member="${target.raftAddress}"]`)
      .getByRole('button', { name: 'Make leader' })
      .click();
    await page.getByRole('dialog').getByRole('button', { name: 'Yield' }).click();
    await poll(() => page.getByTestId('raft-leader').textContent(), { timeout: 15_000 }).toBe(
      target.raftAddress,
    );
    expect((await cluster.waitForLeader()).raftAddress).toBe(target.raftAddress);
    await poll(() => page.locator(`tr[data-member="${target.raftAddress}"]`).textContent()).toMatch(/Leader/);

    // kill -9 of that leader: the page (served by a surviving node) shows the newly elected one
    await target.process.kill9();
    const elected = await cluster.waitForLeader();
    await poll(() => page.getByTestId('raft-leader').textContent(), { timeout: 15_000 }).toBe(
      elected.raftAddress,
    );
    await poll(() => page.locator(`tr[data-member="${target.raftAddress}"]`).textContent(), {
      timeout: 15_000,
    }).toContain('unreachable');
    await shot(page, 'raft-after-leader-kill.png');
    expect(errors.filter((e) => !FETCH_NOISE.test(e))).toEqual([]);
  });
});
