// The daemon's KV hook in publishNewMaster: its pairs go to kv_store through raft, then to the
// external stores in the background, with every attempt reported as a recovery step.
import { describe, expect, it } from 'vitest';
import { createRecoveryContext } from '../src/engine.js';
import { publishNewMaster } from '../src/flows/common.js';
import { RecoveryRun } from '../src/run.js';
import type { MasterKVHook, RecoveryReads } from '../src/types.js';
import { entry, key } from './fixtures.js';

function runWith(kv: MasterKVHook | undefined) {
  const published: [string, unknown][] = [];
  const ctx = createRecoveryContext({
    node: { hostname: 'orc1', token: 't' },
    leadership: { isLeaderWithQuorum: () => true },
    publish: async (op, value) => {
      published.push([op, value]);
      return null;
    },
    reads: {} as RecoveryReads,
    mysql: {} as never,
    kv,
  });
  const run = new RecoveryRun(ctx, entry(), {
    command: 'test',
    skipHooks: true,
    type: 'MasterRecovery',
    autoMasterRecovery: true,
    autoIntermediateMasterRecovery: false,
  });
  const steps = () =>
    published
      .filter(([op]) => op === 'write-recovery-step')
      .map(([, v]) => (v as { Message: string }).Message);
  const kvPuts = () => published.filter(([op]) => op === 'put-key-value').map(([, v]) => v);
  return { run, steps, kvPuts };
}

describe('publishNewMaster with a KV hook', () => {
  it("writes the hook's pairs to kv_store, then hands them to distribute(), which reports as recovery steps", async () => {
    const pairs = [
      { Key: 'mysql/master/main', Value: '127.0.0.1:3307' },
      { Key: 'mysql/master/main/hostname', Value: '127.0.0.1' },
      { Key: 'mysql/master/main/port', Value: '3307' },
      { Key: 'mysql/master/main/ipv4', Value: '127.0.0.1' },
      { Key: 'mysql/master/main/ipv6', Value: '' },
    ];
    const distributed: unknown[] = [];
    const { run, steps, kvPuts } = runWith({
      pairs: async (alias, master) => (alias === 'main' && master.Port === 3307 ? pairs : []),
      distribute: (p, audit) => {
        distributed.push(p);
        audit(
          'KV zookeeper: publishing mysql/master/main failed (attempt 1): connection refused; retrying in 1 s',
        );
      },
    });
    await publishNewMaster(run, key(3307));
    expect(kvPuts()).toEqual(pairs);
    expect(distributed).toEqual([pairs]);
    await new Promise((r) => setImmediate(r));
    expect(steps()).toEqual([
      'KV: mysql/master/main = 127.0.0.1:3307',
      'KV zookeeper: publishing mysql/master/main failed (attempt 1): connection refused; retrying in 1 s',
    ]);
    expect(run.recovery.AllErrors).toEqual([]);
  });

  it('without a hook: the three kv_store pairs, as before', async () => {
    const { run, kvPuts } = runWith(undefined);
    await publishNewMaster(run, key(3307));
    expect(kvPuts()).toEqual([
      { Key: 'mysql/master/main', Value: '127.0.0.1:3307' },
      { Key: 'mysql/master/main/hostname', Value: '127.0.0.1' },
      { Key: 'mysql/master/main/port', Value: '3307' },
    ]);
  });
});
