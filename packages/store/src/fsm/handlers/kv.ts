import type { CommandOp } from '../commands.js';
import { obj, str, timeField } from '../decode.js';

import { type Handler, upsert } from './handler.js';

export const kvHandlers = {
  'put-key-value': {
    decode(v) {
      const o = obj(v);
      return {
        key: str(o, 'Key', { nonEmpty: true }),
        value: str(o, 'Value'),
        at: timeField(o, 'UpdatedAt', false),
      };
    },
    async apply(ctx, p: { key: string; value: string; at: string | null }) {
      await upsert(
        ctx,
        'kv_store',
        { store_key: p.key, store_value: p.value, last_updated: p.at ?? ctx.fallbackTime },
        ['store_key'],
      );
      return { result: p.key, effects: [{ type: 'kv-put', key: p.key, value: p.value }] };
    },
  },
} satisfies Partial<Record<CommandOp, Handler>>;
