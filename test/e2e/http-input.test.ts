// Bad HTTP input against real daemons (targets.md: always a JSON 4xx/5xx, never a crash or a hang),
// and quorum loss: a leader that loses both followers stops answering leader-check 200.
import { mulberry32 } from '@orchestrator/consensus';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, OrchestratorCluster, type OrchestratorNode } from '../src/index.js';

// raft-add-peer and raft-yield are left out: they are valid operator commands, not bad input.
const ROUTES = [
  'instance/:h/:p',
  'discover/:h/:p',
  'forget/:h/:p',
  'begin-downtime/:h/:p/:x/:x/:x',
  'register-candidate/:h/:p/:x',
  'cluster/:x',
  'topology/:x',
  'recover/:h/:p',
  'graceful-master-takeover/:x',
  'ack-recovery/:x',
  'audit-recovery/:x',
  'leader-check/:x',
  'tag/:h/:p?tag=:x',
  'search?s=:x',
  ':x',
  ':x/:x/:x',
];
const VALUES = [
  '',
  'a',
  '-1',
  '0',
  '65536',
  '3306',
  '99999999999999999999',
  '%00',
  '%ff%fe',
  '..',
  '%2F',
  'x'.repeat(5000),
  '🙂',
  "'; DROP TABLE x; --",
  '$(reboot)',
  'localhost:0',
  '[::1]:3306',
];

describe('real daemons under bad HTTP input and quorum loss', () => {
  let cluster: OrchestratorCluster;
  let leader: OrchestratorNode;

  beforeAll(async () => {
    cluster = await OrchestratorCluster.start({ nodes: 3 });
    leader = await cluster.waitForLeader();
  });

  afterAll(async () => {
    await cluster?.destroy();
  });

  it('answers 300 random malformed requests with JSON and keeps running', async () => {
    const random = mulberry32(20261125);
    const pick = <T>(list: readonly T[]) => list[Math.floor(random() * list.length)]!;
    const follower = cluster.nodes.find((n) => n !== leader)!;
    for (let i = 0; i < 300; i++) {
      const route = pick(ROUTES).replace(/:h|:p|:x/g, () => encodeURI(pick(VALUES)).replace(/#/g, '%23'));
      const node = i % 2 === 0 ? leader : follower;
      const method = pick(['GET', 'GET', 'GET', 'HEAD', 'POST', 'DELETE']);
      const r = await node.get(route, { method, redirect: 'manual' });
      expect(r.status, `${method} ${route}`).toBeGreaterThanOrEqual(200);
      expect(r.status, `${method} ${route}`).toBeLessThan(600);
      if (r.status >= 300 && r.status < 400) {
        // A path that normalises out of /api (e.g. `..`) lands on / and is sent to the web interface.
        expect(r.headers.get('location'), `${method} ${route}`).toMatch(/\/web\/$/);
      } else if (method !== 'HEAD') {
        expect(
          () => JSON.parse(r.text),
          `${method} ${route} → ${r.status} ${r.text.slice(0, 200)}`,
        ).not.toThrow();
      }
    }
    for (const node of cluster.nodes) expect(node.process.running).toBe(true);
    expect((await leader.get('leader-check')).status).toBe(200);
  });

  it('a leader that loses both followers stops answering leader-check 200', async () => {
    const followers = cluster.nodes.filter((n) => n !== leader);
    for (const f of followers) f.process.signalProcess('SIGSTOP');
    try {
      await eventually(
        'the isolated leader to stop claiming leadership',
        async () => ((await leader.get('leader-check')).status !== 200 ? true : undefined),
        5000,
      );
      const status = (await leader.get<Record<string, unknown>>('raft-status')).body;
      expect(status.IsPartOfQuorum).toBe(false);
    } finally {
      for (const f of followers) f.process.signalProcess('SIGCONT');
    }
    await cluster.waitForLeader(10_000);
  });
});
