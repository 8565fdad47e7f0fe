// Response handling (reference §7.3), pure.
import { describe, expect, it } from 'vitest';
import { interpretAnswer } from '../src/envelope.js';

const api = 'http://x/api';
const answer = (status: number, body: unknown) =>
  interpretAnswer(api, 'p', { status, body: JSON.stringify(body) });

describe('interpretAnswer', () => {
  it('uses arrays, strings and objects without Code as they are', () => {
    for (const body of [['a:1'], 'Leader', { ClusterName: 'c' }, null, 7]) {
      expect(answer(200, body)).toEqual({
        kind: 'ok',
        result: { raw: body, details: body, message: '', enveloped: false, api },
      });
    }
  });

  it('extracts Details (null when missing) and Message from an OK envelope', () => {
    expect(answer(200, { Code: 'OK', Message: 'done', Details: { Hostname: 'a', Port: 1 } })).toMatchObject({
      kind: 'ok',
      result: { details: { Hostname: 'a', Port: 1 }, message: 'done', enveloped: true },
    });
    expect(answer(200, { Code: 'OK', Message: 'done' })).toMatchObject({
      kind: 'ok',
      result: { details: null },
    });
  });

  it('turns a Code containing ERROR into an ApiError, whatever the HTTP status', () => {
    const out = answer(200, { Code: 'ERROR', Message: 'Cannot read instance', Details: ['x'] });
    expect(out.kind).toBe('api-error');
    if (out.kind !== 'api-error') return;
    expect(out.error).toMatchObject({
      code: 'API_ERROR',
      apiMessage: 'Cannot read instance',
      details: ['x'],
      status: 200,
      path: 'p',
    });
    expect(out.error.body).toEqual({ Code: 'ERROR', Message: 'Cannot read instance', Details: ['x'] });
  });

  it('marks a 5xx "Unauthorized" envelope as a follower refusing a write', () => {
    expect(answer(500, { Code: 'ERROR', Message: 'Unauthorized', Details: null }).kind).toBe('not-leader');
    expect(answer(200, { Code: 'ERROR', Message: 'Unauthorized', Details: null }).kind).toBe('api-error');
    expect(answer(503, { Code: 'ERROR', Message: 'no raft leader is known', Details: null }).kind).toBe(
      'not-leader',
    );
  });

  it('classifies bodies that are not JSON by status', () => {
    expect(interpretAnswer(api, 'p', { status: 200, body: '' }).kind).toBe('retry');
    expect(interpretAnswer(api, 'p', { status: 502, body: '<html>' }).kind).toBe('retry');
    expect(interpretAnswer(api, 'p', { status: 404, body: '404 page not found' }).kind).toBe('invalid');
    expect(interpretAnswer(api, 'p', { status: 302, body: '' }).kind).toBe('invalid');
  });

  it('reports 401 before looking at the body', () => {
    expect(answer(401, { Code: 'ERROR', Message: 'x' }).kind).toBe('unauthorized');
  });
});
