// reload-configuration on a running daemon: keys that can change at run time take effect at once,
// keys read at start are named and keep their running value, an invalid file changes nothing.
// Routes the reference serves and this orchestrator does not are refused with their reason.
import { writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, OrchestratorCluster, type OrchestratorNode } from '../src/index.js';

interface Envelope {
  Code?: string;
  Message?: string;
  Details?: { Applied?: string[]; RestartRequired?: string[] } & Record<string, unknown>;
}

let cluster: OrchestratorCluster;
let node: OrchestratorNode;

beforeAll(async () => {
  cluster = await OrchestratorCluster.start({ nodes: 1 });
  node = await cluster.waitForLeader();
}, 60_000);

afterAll(async () => {
  await cluster?.destroy();
});

describe('reload-configuration', () => {
  it('applies ReadOnly at once and names InstancePollSeconds as needing a restart', async () => {
    const before = await node.get<Envelope>('begin-downtime/db1/3306/ops/before/1m');
    expect(before.status, before.text).toBe(200);
    node.updateConfig({ ReadOnly: true, InstancePollSeconds: 7 });
    const reload = await node.get<Envelope>('reload-configuration');
    expect(reload.status, reload.text).toBe(200);
    expect(reload.body.Details?.Applied).toContain('ReadOnly');
    expect(reload.body.Details?.RestartRequired).toContain('InstancePollSeconds');
    expect(reload.body.Message).toContain('InstancePollSeconds');
    const refused = await node.get<Envelope>('begin-downtime/db1/3306/ops/after/1m');
    expect(refused.status).toBe(403);
    expect(refused.body.Message).toContain('ReadOnly');
  });

  it('SIGHUP reloads too: the way back from ReadOnly, which refuses the route', async () => {
    node.updateConfig({ ReadOnly: false });
    process.kill(node.process.pid, 'SIGHUP');
    await eventually('a write accepted after SIGHUP', async () => {
      const r = await node.get<Envelope>('begin-downtime/db1/3306/ops/back/1m');
      return r.status === 200 ? r : undefined;
    });
  });

  it('an invalid file is refused with its name and changes nothing', async () => {
    writeFileSync(node.configFile, '{ "ReadOnly": tru');
    const reload = await node.get<Envelope>('reload-configuration');
    expect(reload.status).toBe(500);
    expect(reload.body.Message).toContain(node.configFile);
    const still = await node.get<Envelope>('begin-downtime/db1/3306/ops/again/1m');
    expect(still.status).toBe(200);
  });
});

describe('refused reference routes', () => {
  it('answer with why they are not served, not a 404', async () => {
    for (const path of ['agents', 'grab-election', 'long-queries']) {
      const r = await node.get<Envelope>(path);
      expect(r.status, path).toBe(500);
      expect(r.body.Code, path).toBe('ERROR');
      expect(r.body.Message, path).toMatch(/not supported/);
    }
  });
});
