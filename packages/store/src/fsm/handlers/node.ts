import type { CommandOp } from '../commands.js';
import { stringValue } from '../decode.js';

import { type Handler, none, noPayload, upsert } from './handler.js';

export const nodeHandlers = {
  heartbeat: { decode: noPayload, apply: async () => none() },
  'register-node': { decode: noPayload, apply: async () => none() },
  'leader-uri': {
    decode: (v) => stringValue(v, 'payload', false),
    async apply(ctx, uri: string) {
      await upsert(ctx, 'raft_fsm_meta', { meta_key: 'LeaderURI', meta_value: uri }, ['meta_key']);
      return { result: uri, effects: [{ type: 'leader-uri', uri }] };
    },
  },
  'request-health-report': {
    decode: (v) => stringValue(v, 'payload (token)', true),
    apply: async (_ctx, token: string) => ({ result: null, effects: [{ type: 'health-report', token }] }),
  },
  'async-snapshot': {
    decode: noPayload,
    apply: async () => ({ result: null, effects: [{ type: 'async-snapshot' }] }),
  },
  yield: {
    raw: true,
    decode: (v) => stringValue(v, 'payload (node)', true),
    apply: async (_ctx, node: string) => ({ result: null, effects: [{ type: 'yield', node }] }),
  },
  'yield-hint': {
    raw: true,
    decode: (v) => stringValue(v, 'payload (hint)', true),
    apply: async (_ctx, hint: string) => ({ result: null, effects: [{ type: 'yield-hint', hint }] }),
  },
} satisfies Partial<Record<CommandOp, Handler>>;
