import { describe, expect, it } from 'vitest';
import { isBackendUnavailable } from './backend-faults.js';

const err = (props: Record<string, unknown>, cause?: unknown) =>
  Object.assign(new Error('x', cause === undefined ? undefined : { cause }), props);

describe('isBackendUnavailable', () => {
  it.each([
    ['SQLite: disk full', err({ code: 'SQLITE_FULL' }), true],
    ['SQLite: read-only (extended code)', err({ code: 'SQLITE_READONLY_DBMOVED' }), true],
    ['SQLite: I/O error', err({ code: 'SQLITE_IOERR_WRITE' }), true],
    ['MySQL: --read-only', err({ code: 'ER_OPTION_PREVENTS_STATEMENT', errno: 1290 }), true],
    ['MySQL: table full', err({ code: 'ER_RECORD_FILE_FULL', errno: 1114 }), true],
    ['MySQL: connection lost', err({ code: 'PROTOCOL_CONNECTION_LOST' }), true],
    ['a file system: no space', err({ code: 'ENOSPC' }), true],
    ['wrapped in an FsmError', err({ code: 'APPLY_FAILED' }, err({ code: 'SQLITE_FULL' })), true],
    ['MySQL: duplicate key (deterministic)', err({ code: 'ER_DUP_ENTRY', errno: 1062 }), false],
    ['SQLite: constraint (deterministic)', err({ code: 'SQLITE_CONSTRAINT_UNIQUE' }), false],
    ['a malformed payload', err({ code: 'MALFORMED_PAYLOAD' }), false],
    ['not an error', 'boom', false],
  ])('%s → %s', (_what, e, expected) => {
    expect(isBackendUnavailable(e)).toBe(expected);
  });
});
