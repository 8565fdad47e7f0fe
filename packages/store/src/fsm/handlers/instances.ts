import type { InstanceKey } from '../../model/instance.js';
import type { CommandOp } from '../commands.js';
import { instanceKey, obj, PayloadError, str, stringValue, timeField } from '../decode.js';

import { type Handler, keyPayload, none, upsert } from './handler.js';

export const instancesHandlers = {
  discover: {
    decode: keyPayload,
    apply: async (_ctx, key: InstanceKey) => ({ result: key, effects: [{ type: 'discover', key }] }),
  },
  forget: {
    decode: keyPayload,
    async apply(ctx, key: InstanceKey) {
      const r = await ctx.tx.exec('DELETE FROM database_instance WHERE hostname = ? AND port = ?', [
        key.Hostname,
        key.Port,
      ]);
      return { result: r.changes > 0, effects: [{ type: 'forgotten', keys: [key] }] };
    },
  },
  'forget-cluster': {
    decode: (v) => stringValue(v, 'payload (cluster name)', true),
    async apply(ctx, cluster: string) {
      const rows = await ctx.tx.query<{ hostname: string; port: number }>(
        'SELECT hostname, port FROM database_instance WHERE cluster_name = ? ORDER BY hostname, port',
        [cluster],
      );
      await ctx.tx.exec('DELETE FROM database_instance WHERE cluster_name = ?', [cluster]);
      const keys = rows.map((r) => ({ Hostname: r.hostname, Port: Number(r.port) }));
      return { result: keys, effects: [{ type: 'forgotten', keys }] };
    },
  },
  'register-hostname-unresolve': {
    decode(v) {
      const o = obj(v);
      return { key: instanceKey(o.Key), hostname: str(o, 'Hostname'), at: timeField(o, 'CreatedAt', false) };
    },
    async apply(ctx, p: { key: InstanceKey; hostname: string; at: string | null }) {
      if (p.hostname === '') {
        await ctx.tx.exec('DELETE FROM hostname_unresolve WHERE hostname = ?', [p.key.Hostname]);
      } else {
        await upsert(
          ctx,
          'hostname_unresolve',
          {
            hostname: p.key.Hostname,
            unresolved_hostname: p.hostname,
            last_registered: p.at ?? ctx.fallbackTime,
          },
          ['hostname'],
        );
      }
      return none(p.key);
    },
  },
  'submit-pool-instances': {
    decode(v) {
      const o = obj(v);
      const pool = str(o, 'Pool', { nonEmpty: true });
      const list = str(o, 'DelimitedInstances');
      const keys = list
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s)
        .map((s) => {
          const [host, port] = s.split(':');
          const key = { Hostname: host ?? '', Port: port === undefined ? 3306 : Number(port) };
          if (!key.Hostname || !Number.isInteger(key.Port) || key.Port <= 0 || key.Port > 65535) {
            throw new PayloadError(`DelimitedInstances: "${s}" is not host[:port]`);
          }
          return key;
        });
      const at = timeField(o, 'RegisteredAt', false) ?? timeField(o, 'CreatedAt', false);
      return { pool, keys, at };
    },
    async apply(ctx, p: { pool: string; keys: InstanceKey[]; at: string | null }) {
      await ctx.tx.exec('DELETE FROM database_instance_pool WHERE pool = ?', [p.pool]);
      for (const k of p.keys) {
        await upsert(
          ctx,
          'database_instance_pool',
          { hostname: k.Hostname, port: k.Port, pool: p.pool, registered_at: p.at ?? ctx.fallbackTime },
          ['hostname', 'port', 'pool'],
        );
      }
      return none(p.keys.length);
    },
  },
  'injected-pseudo-gtid': {
    decode: (v) => stringValue(v, 'payload (cluster name)', true),
    async apply(ctx, cluster: string) {
      await upsert(
        ctx,
        'cluster_injected_pseudo_gtid',
        { cluster_name: cluster, time_injected: ctx.fallbackTime },
        ['cluster_name'],
      );
      return none(cluster);
    },
  },
  'set-cluster-alias-manual-override': {
    decode(v) {
      if (!Array.isArray(v) || v.length !== 2) throw new PayloadError('payload must be [clusterName, alias]');
      return [stringValue(v[0], 'clusterName', true), stringValue(v[1], 'alias', false)] as [string, string];
    },
    async apply(ctx, [cluster, alias]: [string, string]) {
      if (alias === '')
        await ctx.tx.exec('DELETE FROM cluster_alias_override WHERE cluster_name = ?', [cluster]);
      else await upsert(ctx, 'cluster_alias_override', { cluster_name: cluster, alias }, ['cluster_name']);
      return none(alias);
    },
  },
} satisfies Partial<Record<CommandOp, Handler>>;
