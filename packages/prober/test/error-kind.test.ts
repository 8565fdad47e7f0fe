import { describe, expect, it } from 'vitest';
import { probeErrorKind } from '../src/discovery/error-kind.js';
import { ProberError } from '../src/errors.js';

const coded = (code: string, cause?: unknown) =>
  Object.assign(new Error(code), { code }, cause ? { cause } : {});

describe('probeErrorKind', () => {
  it('names the kind from the error code', () => {
    expect(probeErrorKind(coded('ECONNREFUSED'))).toBe('refused');
    expect(probeErrorKind(coded('ER_ACCESS_DENIED_ERROR'))).toBe('access_denied');
    expect(probeErrorKind(coded('ENOTFOUND'))).toBe('unresolved');
    expect(probeErrorKind(new ProberError('PROBE_TIMEOUT', 'slow'))).toBe('timeout');
  });

  it('follows the cause chain to the first known code', () => {
    const wrapped = new ProberError('PROBE_FAILED', 'probe failed', { cause: coded('ECONNRESET') });
    expect(probeErrorKind(wrapped)).toBe('connection_lost');
  });

  it('calls an unknown server error a query error and anything else other', () => {
    expect(probeErrorKind(coded('ER_NO_SUCH_TABLE'))).toBe('query');
    expect(probeErrorKind(new Error('boom'))).toBe('other');
    expect(probeErrorKind('not an error')).toBe('other');
    expect(probeErrorKind(undefined)).toBe('other');
  });
});
