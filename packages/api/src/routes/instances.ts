// Instance reads and discovery: instance, instance-replicas, all-instances, search, discover,
// async-discover, refresh, forget.
import { okEnvelope } from '../envelope.js';
import { badParameter, failed, isNotReady } from '../errors.js';
import { parseKey, parseNonNegativeInt, parseText } from '../params.js';
import type { RouteDef } from '../route.js';
import { keyString, requireInstance } from './helpers.js';

export const instanceRoutes: RouteDef[] = [
  {
    name: 'instance',
    paths: ['instance/:host/:port'],
    kind: 'proxied',
    cacheable: true,
    handler: (req) => requireInstance(req),
  },
  {
    name: 'instance-replicas',
    paths: ['instance-replicas/:host/:port', 'instance-slaves/:host/:port'],
    kind: 'proxied',
    cacheable: true,
    handler: (req) => req.deps.instances.replicas(parseKey(req.params)),
  },
  {
    name: 'all-instances',
    paths: ['all-instances'],
    kind: 'proxied',
    cacheable: true,
    handler: (req) => req.deps.instances.all(),
  },
  {
    name: 'search',
    paths: ['search/:s', 'search'],
    kind: 'proxied',
    handler: (req) => {
      const raw = req.params.s ?? req.query.get('s');
      if (raw === null || raw === undefined || raw === '')
        throw badParameter('s', 'a search string is required');
      return req.deps.instances.search(parseText(raw, 's', 256));
    },
  },
  {
    name: 'discover',
    paths: ['discover/:host/:port'],
    kind: 'write',
    handler: async (req) => {
      const key = parseKey(req.params);
      await req.deps.commands.propose('discover', key);
      try {
        const instance = await req.deps.discovery.discover(key);
        return okEnvelope(`Instance discovered: ${keyString(key)}`, instance);
      } catch (err) {
        if (isNotReady(err)) throw err;
        throw failed(`Cannot discover ${keyString(key)}: ${(err as Error).message ?? String(err)}`, key, err);
      }
    },
  },
  {
    // Ours: the leader asks every other node this before calling an instance it cannot reach dead.
    name: 'instance-reachability',
    paths: ['instance-reachability/:host/:port'],
    kind: 'local',
    handler: async (req) => {
      const key = parseKey(req.params);
      const within = req.query.get('within');
      const withinMs = within === null ? 0 : parseNonNegativeInt(within, 'within', 86_400_000);
      const check = req.deps.discovery.reachability;
      if (check === undefined) throw failed('instance-reachability: this node does not probe on its own');
      const answer = await check.call(req.deps.discovery, key, withinMs);
      return { Key: key, Observer: req.deps.raft.raftAdvertise, ...answer };
    },
  },
  {
    name: 'async-discover',
    paths: ['async-discover/:host/:port'],
    kind: 'write',
    handler: async (req) => {
      const key = parseKey(req.params);
      await req.deps.commands.propose('discover', key);
      // Fire and forget: failures show up in the instance's last-check fields.
      req.deps.discovery.discover(key).catch(() => undefined);
      // Details carries `Key` because orchestrator-client reads `.Details.Key.Hostname` here.
      return okEnvelope(`Asynchronous discovery initiated for ${keyString(key)}`, { Key: key });
    },
  },
  {
    name: 'refresh',
    paths: ['refresh/:host/:port'],
    kind: 'write',
    handler: async (req) => {
      const key = parseKey(req.params);
      await req.deps.discovery.refresh(key);
      return okEnvelope(`Instance refreshed: ${keyString(key)}`, key);
    },
  },
  {
    name: 'forget',
    paths: ['forget/:host/:port'],
    kind: 'write',
    handler: async (req) => {
      const key = parseKey(req.params);
      await req.deps.commands.propose('forget', key);
      return okEnvelope(`Instance forgotten: ${keyString(key)}`, key);
    },
  },
];
