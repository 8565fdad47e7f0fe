import type { InstanceKey } from '../../model/instance.js';
import type { CommandOp } from '../commands.js';
import { boolField, instanceKey, obj, optionalKey, str, timeField } from '../decode.js';

import { type Handler, none, upsert } from './handler.js';

interface DecodedTag {
  key: InstanceKey | undefined;
  name: string;
  value: string;
  hasValue: boolean;
  at: string | null;
}

function decodeTag(v: unknown, keyRequired: boolean): DecodedTag {
  const o = obj(v);
  const key = keyRequired ? instanceKey(o.Key) : optionalKey(o.Key);
  const t = obj(o.T, 'T');
  return {
    key,
    name: str(t, 'TagName', { nonEmpty: true }),
    value: str(t, 'TagValue'),
    hasValue: boolField(t, 'HasValue'),
    at: timeField(o, 'CreatedAt', false),
  };
}

export const tagsHandlers = {
  'put-instance-tag': {
    decode: (v) => decodeTag(v, true),
    async apply(ctx, p: DecodedTag) {
      const key = p.key!;
      await upsert(
        ctx,
        'database_instance_tags',
        {
          hostname: key.Hostname,
          port: key.Port,
          tag_name: p.name,
          tag_value: p.hasValue ? p.value : '',
          last_updated: p.at ?? ctx.fallbackTime,
        },
        ['hostname', 'port', 'tag_name'],
      );
      return none(key);
    },
  },
  'delete-instance-tag': {
    decode: (v) => decodeTag(v, false),
    async apply(ctx, p: DecodedTag) {
      let where = 'tag_name = ?';
      const args: unknown[] = [p.name];
      if (p.hasValue) {
        where += ' AND tag_value = ?';
        args.push(p.value);
      }
      if (p.key) {
        where += ' AND hostname = ? AND port = ?';
        args.push(p.key.Hostname, p.key.Port);
      }
      const rows = await ctx.tx.query<{ hostname: string; port: number }>(
        `SELECT hostname, port FROM database_instance_tags WHERE ${where} ORDER BY hostname, port`,
        args,
      );
      await ctx.tx.exec(`DELETE FROM database_instance_tags WHERE ${where}`, args);
      return none(rows.map((r) => ({ Hostname: r.hostname, Port: Number(r.port) })));
    },
  },
} satisfies Partial<Record<CommandOp, Handler>>;
