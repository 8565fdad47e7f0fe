import { describe, expect, it } from 'vitest';
import { toApiError } from '../src/errors.js';

describe('toApiError', () => {
  it('a command the state machine refused: 500 envelope, its message, the FSM code in Details', () => {
    const err = Object.assign(new Error('register-candidate: PromotionRule "must" is not one of …'), {
      name: 'CommandRejectedError',
      code: 'COMMAND_REJECTED',
      fsmCode: 'MALFORMED_PAYLOAD',
    });
    const api = toApiError(err);
    expect(api.status).toBe(500);
    expect(api.message).toContain('PromotionRule "must"');
    expect(api.details).toEqual({ FsmError: 'MALFORMED_PAYLOAD' });
  });

  it('not the leader: the reference’s 500 "Unauthorized"; not ready: 503', () => {
    expect(toApiError(Object.assign(new Error('x'), { code: 'NOT_LEADER' })).message).toBe('Unauthorized');
    expect(toApiError(Object.assign(new Error('wait'), { code: 'NOT_READY' })).status).toBe(503);
  });
});
