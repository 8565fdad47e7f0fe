// The replication-control route table: every reference path and *slave* synonym is registered next
// to the built-in routes, mutating routes are leader-only, and parameters are parsed and refused
// with a message naming them before anything runs.
import { ApiError, builtinRoutes, type RouteDef, type RouteRequest, RouteTable } from '@orchestrator/api';
import { emptyInstance, type InstanceKey } from '@orchestrator/store';
import type { ReplicationControl } from '@orchestrator/topology';
import { describe, expect, it } from 'vitest';
import { replicationRoutes } from './replication-routes.js';

/** A ReplicationControl whose every method records its call and answers the instance. */
function recordingControl() {
  const calls: unknown[][] = [];
  const answer =
    (name: string) =>
    async (key: InstanceKey, ...rest: unknown[]) => {
      calls.push([name, key.Port, ...rest]);
      return { instance: emptyInstance(key), message: `${name} done` };
    };
  const names = [
    'startReplica',
    'stopReplica',
    'stopReplicaNice',
    'restartReplica',
    'resetReplica',
    'detachReplica',
    'reattachReplica',
    'detachReplicaMasterHost',
    'reattachReplicaMasterHost',
    'skipQuery',
    'setReadOnly',
    'delayReplication',
    'setSemiSync',
    'killQuery',
  ];
  const control = Object.fromEntries(names.map((n) => [n, answer(n)])) as unknown as ReplicationControl;
  return { control, calls };
}

function request(params: Record<string, string>, query = ''): RouteRequest {
  return { params, query: new URLSearchParams(query), user: '', deps: {} as never, options: {} as never };
}

function route(routes: RouteDef[], segments: string[]) {
  const match = new RouteTable(routes).match(segments);
  if (!match) throw new Error(`no route for ${segments.join('/')}`);
  return match;
}

describe('replication routes', () => {
  const { control, calls } = recordingControl();
  const routes = replicationRoutes(control);

  it('register with the built-in routes without a collision', () => {
    expect(() => new RouteTable([...builtinRoutes, ...routes])).not.toThrow();
  });

  it.each([
    ['start-slave', 'start-replica'],
    ['stop-slave', 'stop-replica'],
    ['stop-slave-nice', 'stop-replica-nice'],
    ['restart-slave', 'restart-replica'],
    ['reset-slave', 'reset-replica'],
    ['detach-slave', 'detach-replica'],
    ['reattach-slave', 'reattach-replica'],
    ['detach-slave-master-host', 'detach-replica-master-host'],
    ['reattach-slave-master-host', 'reattach-replica-master-host'],
    ['enable-semi-sync-slave', 'enable-semi-sync-replica'],
  ])('%s is a synonym of %s, leader-only', (synonym, name) => {
    const m = route(routes, [synonym, 'db', '3306']);
    expect(m.route.name).toBe(name);
    expect(m.route.kind).toBe('write');
  });

  it('answers the reference envelope with the instance in Details', async () => {
    const m = route(routes, ['set-writeable', 'db', '3306']);
    const body = await m.route.handler(request(m.params));
    expect(body).toMatchObject({
      Code: 'OK',
      Message: 'setReadOnly done',
      Details: { Key: { Hostname: 'db', Port: 3306 } },
    });
    expect(calls.at(-1)).toEqual(['setReadOnly', 3306, false]);
  });

  it('passes delay seconds, process ids and semi-sync sides through', async () => {
    for (const [segments, call] of [
      [
        ['delay-replication', 'db', '3306', '3600'],
        ['delayReplication', 3306, 3600],
      ],
      [
        ['kill-query', 'db', '3306', '42'],
        ['killQuery', 3306, 42],
      ],
      [
        ['disable-semi-sync-master', 'db', '3306'],
        ['setSemiSync', 3306, 'master', false],
      ],
    ] as const) {
      const m = route(routes, [...segments]);
      await m.route.handler(request(m.params));
      expect(calls.at(-1)).toEqual(call);
    }
  });

  it('refuses malformed parameters, naming them, before anything runs', async () => {
    const before = calls.length;
    for (const [segments, param] of [
      [['delay-replication', 'db', '3306', '-5'], 'seconds'],
      [['kill-query', 'db', '3306', 'abc'], 'process'],
      [['purge-binary-logs', 'db', '3306', 'x;DROP'], 'logFile'],
      [['stop-replica', 'db', '99999'], 'port'],
    ] as const) {
      const m = route(routes, [...segments]);
      const error = await Promise.resolve()
        .then(() => m.route.handler(request(m.params)))
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ApiError);
      expect((error as ApiError).status).toBe(400);
      expect((error as ApiError).message).toContain(`invalid parameter ${param}`);
    }
    expect(calls.length).toBe(before);
  });

  it('reads (locate-gtid-errant, can-replicate-from, restart-replica-statements) are proxied, not leader-only writes', () => {
    expect(route(routes, ['locate-gtid-errant', 'db', '3306']).route.kind).toBe('proxied');
    expect(route(routes, ['can-replicate-from-gtid', 'db', '3306', 'db2', '3306']).route.kind).toBe(
      'proxied',
    );
    expect(route(routes, ['restart-slave-statements', 'db', '3306']).route).toMatchObject({
      kind: 'proxied',
      auth: 'write',
    });
  });
});
