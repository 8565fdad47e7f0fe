// raft-add-peer / raft-remove-peer (issue 21): `?force` reaches the dependency, a bad value is a 400
// naming the parameter, and a refused change answers its reason with the resulting voters as Details.
import { afterEach, describe, expect, it } from 'vitest';
import { get, makeFake, type Served, serve } from './fakes.js';

describe('raft-add-peer / raft-remove-peer', () => {
  let server: Served | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  async function start(refuse = false) {
    const fake = makeFake();
    const seen: { op: string; addr: string; force: boolean | undefined }[] = [];
    const change = (op: string) => (addr: string, options?: { readonly force?: boolean }) => {
      seen.push({ op, addr, force: options?.force });
      if (refuse && !options?.force) {
        throw Object.assign(new Error(`${op} ${addr} refused: the membership would have 2 voters, …`), {
          code: 'MEMBERSHIP_CHANGE_REFUSED',
          details: {
            Voters: ['a:1', 'b:1'],
            ReachableVoters: ['a:1'],
            UnreachableVoters: ['b:1'],
            Quorum: 2,
            Safe: false,
          },
        });
      }
      return addr;
    };
    fake.deps.raft.addPeer = change('raft-add-peer');
    fake.deps.raft.removePeer = change('raft-remove-peer');
    server = await serve(fake.deps);
    return { url: server.url, seen };
  }

  it.each([
    ['', false],
    ['?force', true],
    ['?force=true', true],
    ['?force=1', true],
    ['?force=false', false],
    ['?force=0', false],
  ])('%s → force=%s', async (query, force) => {
    const { url, seen } = await start();
    expect((await get(`${url}/api/raft-remove-peer/c:1${query}`)).status).toBe(200);
    expect((await get(`${url}/api/raft-add-peer/c:1${query}`)).status).toBe(200);
    expect(seen.map((s) => s.force)).toEqual([force, force]);
  });

  it('a bad force value is a 400 naming the parameter', async () => {
    const { url, seen } = await start();
    const r = await get(`${url}/api/raft-add-peer/c:1?force=yes-please`);
    expect(r.status).toBe(400);
    expect((r.body as { Message: string }).Message).toBe(
      'invalid parameter force: expected no value, true, 1, false or 0 (got "yes-please")',
    );
    expect(seen).toEqual([]);
  });

  it('a refused change answers why, with the resulting voters as Details; ?force goes through', async () => {
    const { url } = await start(true);
    const r = await get(`${url}/api/raft-remove-peer/b:1`);
    expect(r.status).toBe(500);
    expect(r.body).toEqual({
      Code: 'ERROR',
      Message: 'raft-remove-peer b:1 refused: the membership would have 2 voters, …',
      Details: {
        Voters: ['a:1', 'b:1'],
        ReachableVoters: ['a:1'],
        UnreachableVoters: ['b:1'],
        Quorum: 2,
        Safe: false,
      },
    });
    expect((await get(`${url}/api/raft-remove-peer/b:1?force`)).body).toBe('b:1');
  });
});
