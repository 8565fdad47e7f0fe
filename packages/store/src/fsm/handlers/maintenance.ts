// Operator intent on an instance: downtime and promotion-rule registration.
import {
  isSettablePromotionRule,
  SETTABLE_PROMOTION_RULES,
  type SettablePromotionRule,
} from '@orchestrator/model';
import type { InstanceKey } from '../../model/instance.js';
import { dbTime, parseTime } from '../../time.js';
import type { CommandOp } from '../commands.js';
import { instanceKey, int, obj, PayloadError, str, timeField } from '../decode.js';

import { type Handler, keyPayload, none, upsert } from './handler.js';

export const maintenanceHandlers = {
  'begin-downtime': {
    decode(v) {
      const o = obj(v);
      const key = instanceKey(o.Key);
      const begins = timeField(o, 'BeginsAt', true)!;
      const durationNs = int(o, 'Duration');
      if (durationNs < 0) throw new PayloadError('Duration must not be negative');
      const ends =
        timeField(o, 'EndsAt', false) ??
        dbTime(parseTime(begins) + (durationNs ? durationNs / 1e6 : 600_000));
      return { key, begins, ends, owner: str(o, 'Owner'), reason: str(o, 'Reason') };
    },
    async apply(ctx, p: { key: InstanceKey; begins: string; ends: string; owner: string; reason: string }) {
      await upsert(
        ctx,
        'database_instance_downtime',
        {
          hostname: p.key.Hostname,
          port: p.key.Port,
          downtime_active: 1,
          begin_timestamp: p.begins,
          end_timestamp: p.ends,
          owner: p.owner,
          reason: p.reason,
        },
        ['hostname', 'port'],
      );
      return none(p.key);
    },
  },
  'end-downtime': {
    decode: keyPayload,
    async apply(ctx, key: InstanceKey) {
      const r = await ctx.tx.exec('DELETE FROM database_instance_downtime WHERE hostname = ? AND port = ?', [
        key.Hostname,
        key.Port,
      ]);
      return none(r.changes > 0);
    },
  },
  'register-candidate': {
    decode(v) {
      const o = obj(v);
      const key = instanceKey({ Hostname: o.Hostname, Port: o.Port }, 'payload');
      const rule = str(o, 'PromotionRule', { nonEmpty: true });
      if (!isSettablePromotionRule(rule))
        throw new PayloadError(
          `PromotionRule "${rule}" is not one of ${SETTABLE_PROMOTION_RULES.join(', ')}`,
        );
      const suggested = timeField(o, 'LastSuggestedString', true)!;
      return { key, rule, suggested, expiry: timeField(o, 'PromotionRuleExpiry', true)! };
    },
    async apply(
      ctx,
      p: { key: InstanceKey; rule: SettablePromotionRule; suggested: string; expiry: string },
    ) {
      const expiry = p.expiry;
      await upsert(
        ctx,
        'candidate_database_instance',
        {
          hostname: p.key.Hostname,
          port: p.key.Port,
          last_suggested: p.suggested,
          promotion_rule: p.rule,
          promotion_rule_expiry: expiry,
        },
        ['hostname', 'port'],
      );
      return none(p.key);
    },
  },
} satisfies Partial<Record<CommandOp, Handler>>;
