// SIGTERM is graceful and bounded: the daemon exits with code 0, a request whose proposal is still
// in flight gets an HTTP answer (a refusal naming why, since it could not commit), and an idle
// keep-alive connection is closed rather than left to the client's timeout. The in-flight case is
// made certain by hanging both followers: the leader's proposal then cannot commit, and its
// hand-off of leadership cannot complete, so every bounded wait of the shutdown is exercised.
import { Agent, request as httpRequest, type IncomingMessage } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, OrchestratorCluster } from '../src/index.js';

interface Answer {
  readonly status: number;
  readonly body: string;
}

/** GET on `agent`'s connections; resolves with the answer, rejects if the connection drops unanswered. */
function get(url: string, agent: Agent): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { agent }, (res: IncomingMessage) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        body += chunk;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

describe('SIGTERM', () => {
  let cluster: OrchestratorCluster;

  beforeAll(async () => {
    cluster = await OrchestratorCluster.start({ nodes: 3 });
  });
  afterAll(async () => {
    await cluster?.destroy();
  });

  it('answers the in-flight proposal, closes kept-alive connections, and exits 0', async () => {
    const leader = await cluster.waitForLeader();
    await cluster.waitForFollowers();
    const followers = cluster.nodes.filter((n) => n !== leader);

    // An idle keep-alive connection: the server must close it when it stops.
    const idleAgent = new Agent({ keepAlive: true, maxSockets: 1 });
    expect((await get(`${leader.api}/leader-check`, idleAgent)).status).toBe(200);
    const idleSocket = Object.values(idleAgent.freeSockets).flat()[0];
    expect(idleSocket).toBeDefined();
    const idleClosed = new Promise<void>((resolve) => idleSocket?.once('close', () => resolve()));

    // A write that cannot commit while both followers are hung: in flight when SIGTERM arrives.
    for (const f of followers) await f.process.hang();
    try {
      const writeAgent = new Agent({ keepAlive: true, maxSockets: 1 });
      const inFlight = get(
        `${leader.api}/register-candidate/db-shutdown.example.com/3306/prefer`,
        writeAgent,
      );
      const outcome = inFlight.then(
        (answer) => ({ answer }),
        (error: Error) => ({ error }),
      );
      // In flight: the leader has appended the entry but cannot commit it.
      await eventually('the proposal to be appended', async () => {
        const s = await leader.get<{ LastIndex: number; CommitIndex: number }>('raft-status');
        return s.body.LastIndex > s.body.CommitIndex ? true : undefined;
      });
      leader.process.signalProcess('SIGTERM');
      const code = await leader.process.waitExit();
      expect(code).toBe(0);

      const result = await outcome;
      expect(result).toHaveProperty('answer');
      const { answer } = result as { answer: Answer };
      // Not committed, so not a success: a JSON refusal that says why.
      expect(answer.status).not.toBe(200);
      expect(JSON.parse(answer.body)).toMatchObject({ Code: 'ERROR' });
      await idleClosed;
      writeAgent.destroy();
      idleAgent.destroy();
    } finally {
      for (const f of followers) await f.process.resume();
    }
    // The stop is logged with each bounded step, and the log says the files were closed.
    expect(leader.process.output()).toMatch(
      /"steps":\{"handOff":[\d.]+,"services":[\d.]+,"raft":[\d.]+,"store"/,
    );
  });
});
