// submit-masters-to-kv-stores with the daemon's KV publisher (ApiDeps.kv) and without it.
import { afterEach, describe, expect, it } from 'vitest';
import type { MasterKVPublisher } from '../src/deps.js';
import { get, makeFake, type Served, serve } from './fakes.js';

let server: Served | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('submit-masters-to-kv-stores', () => {
  it('hands every cluster master to the KV publisher and answers with its pairs and failures', async () => {
    const fake = makeFake();
    const asked: unknown[] = [];
    const kv: MasterKVPublisher = {
      submit: async (masters) => {
        asked.push(...masters);
        return {
          pairs: masters.map((m) => ({
            Key: `mysql/master/${m.ClusterAlias}`,
            Value: `${m.Master.Hostname}:${m.Master.Port}`,
          })),
          errors: [
            'KV zookeeper: publishing mysql/master/main = db1:3306 failed (attempt 1): refused; retrying in 1 s',
          ],
        };
      },
    };
    fake.deps.kv = kv;
    server = await serve(fake.deps);
    const r = await get(`${server.url}/api/submit-masters-to-kv-stores`);
    expect(asked).toEqual([
      { ClusterName: 'db1:3306', ClusterAlias: 'main', Master: { Hostname: 'db1', Port: 3306 } },
      { ClusterName: 'other:3307', ClusterAlias: 'other:3307', Master: { Hostname: 'other', Port: 3307 } },
    ]);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({
      Code: 'OK',
      Message: expect.stringMatching(/^Submitted 2 masters; KV zookeeper: .* retrying in 1 s$/),
      Details: [
        { Key: 'mysql/master/main', Value: 'db1:3306' },
        { Key: 'mysql/master/other:3307', Value: 'other:3307' },
      ],
    });
    expect(fake.s.proposals).toEqual([]); // kv_store is the publisher's job then
  });

  it('one cluster by hint', async () => {
    const fake = makeFake();
    const asked: { ClusterName: string }[] = [];
    fake.deps.kv = {
      submit: async (m) => {
        asked.push(...m);
        return { pairs: [], errors: [] };
      },
    };
    server = await serve(fake.deps);
    expect((await get(`${server.url}/api/submit-masters-to-kv-stores/main`)).status).toBe(200);
    expect(asked.map((m) => m.ClusterName)).toEqual(['db1:3306']);
  });
});
