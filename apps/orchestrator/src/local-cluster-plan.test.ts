import { describe, expect, it } from 'vitest';
import {
  choosePorts,
  type LocalClusterManifest,
  manifestFromConfigs,
  parseManifest,
  planWorkDir,
  portBlock,
} from './local-cluster-plan.js';

const takenPorts =
  (...taken: number[]) =>
  async (port: number) =>
    !taken.includes(port);
const last: LocalClusterManifest = {
  nodes: 3,
  ports: { http: [3000, 3001, 3002], raft: [10008, 10009, 10010] },
};

describe('choosePorts', () => {
  it("keeps the last run's ports while they are free, even away from the base", async () => {
    const moved: LocalClusterManifest = {
      nodes: 3,
      ports: { http: [3003, 3004, 3005], raft: [10011, 10012, 10013] },
    };
    expect(await choosePorts(moved, 3, { http: 3000, raft: 10008 }, takenPorts())).toEqual(moved.ports);
  });

  it('moves only the kind whose port is taken, to the next free block from the base', async () => {
    expect(await choosePorts(last, 3, { http: 3000, raft: 10008 }, takenPorts(10009))).toEqual({
      http: [3000, 3001, 3002],
      raft: [10011, 10012, 10013],
    });
  });

  it('starts from the base when nothing was recorded or the node count changed', async () => {
    expect(await choosePorts(undefined, 2, { http: 4000, raft: 5000 }, takenPorts(4000))).toEqual({
      http: [4002, 4003],
      raft: [5000, 5001],
    });
    expect((await choosePorts(last, 5, { http: 3000, raft: 10008 }, takenPorts())).raft).toEqual([
      10008, 10009, 10010, 10011, 10012,
    ]);
  });

  it('refuses when no block is free', async () => {
    await expect(portBlock(65534, 3, takenPorts())).rejects.toThrow('no 3 free consecutive ports from 65534');
  });
});

describe('planWorkDir', () => {
  it('creates when there is no node data', () => {
    expect(planWorkDir('/w', undefined, false, last).action).toBe('create');
  });

  it('reuses the data with the same ports, and when only HTTP ports moved', () => {
    expect(planWorkDir('/w', last, true, last)).toEqual({
      action: 'reuse',
      message: 'reusing /w (same ports as last time)',
    });
    const plan = planWorkDir('/w', last, true, {
      nodes: 3,
      ports: { ...last.ports, http: [3003, 3004, 3005] },
    });
    expect(plan.action).toBe('reuse');
    expect(plan.message).toMatch(
      /HTTP ports 3000,3001,3002 are taken, so the nodes listen on 3003,3004,3005/,
    );
  });

  it('rebuilds when the raft ports (the node ids) moved, saying why', () => {
    const plan = planWorkDir('/w', last, true, {
      nodes: 3,
      ports: { ...last.ports, raft: [10011, 10012, 10013] },
    });
    expect(plan.action).toBe('rebuild');
    expect(plan.message).toMatch(
      /^raft ports 10008,10009,10010 are taken, so the nodes use 10011,10012,10013/,
    );
    expect(plan.message).toMatch(/rebuilding \/w .*no leader would be elected/);
  });

  it('rebuilds when the node count changed or nothing readable records the ports', () => {
    expect(planWorkDir('/w', undefined, true, last).message).toMatch(
      /^neither ports\.json nor the node configs record/,
    );
    const two = { nodes: 2, ports: { http: [3000, 3001], raft: [10008, 10009] } };
    expect(planWorkDir('/w', last, true, two).message).toMatch(/^the node count changed from 3 to 2/);
  });
});

describe('parseManifest', () => {
  it('reads what the cluster wrote and refuses anything else', () => {
    expect(parseManifest(JSON.stringify(last))).toEqual(last);
    expect(parseManifest(JSON.stringify({ ...last, pid: 42 }))).toEqual({ ...last, pid: 42 });
    expect(parseManifest(JSON.stringify({ ...last, pid: 'x' }))).toEqual(last);
    expect(parseManifest('{')).toBeUndefined();
    expect(
      parseManifest(JSON.stringify({ nodes: 3, ports: { http: [1, 2], raft: [3, 4, 5] } })),
    ).toBeUndefined();
    expect(parseManifest(JSON.stringify({ nodes: 1, ports: { http: [0], raft: [3] } }))).toBeUndefined();
    expect(parseManifest('null')).toBeUndefined();
  });
});

describe('manifestFromConfigs', () => {
  it("reads a directory an older npm start wrote from its nodes' configs", () => {
    const configs = [0, 1, 2].map((i) =>
      JSON.stringify({ ListenAddress: `127.0.0.1:${3000 + i}`, RaftBind: `127.0.0.1:${10008 + i}` }),
    );
    expect(manifestFromConfigs(configs)).toEqual(last);
  });

  it('gives nothing for a config it cannot read', () => {
    expect(manifestFromConfigs([])).toBeUndefined();
    expect(manifestFromConfigs(['{'])).toBeUndefined();
    expect(manifestFromConfigs([JSON.stringify({ ListenAddress: '127.0.0.1:3000' })])).toBeUndefined();
  });
});
