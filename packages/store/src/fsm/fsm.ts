// The replicated state machine: decodes a command, validates its payload, and applies it to the
// backend in one transaction. It never throws: every failure comes back as an FsmError with nothing
// written, so a bad entry can never stop a node.
import type { Backend } from '../backend/types.js';
import type { Timings } from '../config.js';
import { FsmError } from '../errors.js';
import { dbTime } from '../time.js';
import type { CommandEnvelope, CommandOp, SideEffect } from './commands.js';
import { decodeValue, PayloadError } from './decode.js';
import { type ApplyContext, handlers } from './handlers/index.js';

export type ApplyOutcome =
  | { ok: true; op: CommandOp; result: unknown; effects: SideEffect[] }
  | { ok: false; op: string; error: FsmError; effects: [] };

export interface ApplyOptions {
  /** Raft index of the entry; recorded in raft_fsm_meta in the same transaction. */
  index?: number;
  /** Raft term of the entry; recorded with the index (AppliedTerm), so a restart can tell whose log it was. */
  term?: number;
  /** Proposer's clock (epoch ms) from the envelope: the time of payloads that carry none. */
  at?: number;
}

export interface Fsm {
  /** Applies one command. `value` may be a JSON value, JSON text, base64 of JSON bytes, or bytes. */
  applyCommand(op: string, value: unknown, options?: ApplyOptions): Promise<ApplyOutcome>;
  /** Applies a log entry's data: the JSON envelope `{op, value, at?}` as bytes or text. */
  applyEntry(data: Uint8Array | string, options?: { index?: number; term?: number }): Promise<ApplyOutcome>;
  /** Last raft index applied through `applyCommand(..., {index})` (0 when none). */
  appliedIndex(): Promise<number>;
  /** That index and its entry's term (term 0 when not recorded, e.g. applied before terms were). */
  appliedPosition(): Promise<{ index: number; term: number }>;
}

const EPOCH = '1970-01-01 00:00:00.000';

function fail(code: FsmError['code'], op: string, message: string, cause?: unknown): ApplyOutcome {
  return {
    ok: false,
    op,
    error: new FsmError(code, op, message, cause === undefined ? undefined : { cause }),
    effects: [],
  };
}

export function createFsm(backend: Backend, timings: Timings): Fsm {
  async function meta(key: string): Promise<string | undefined> {
    const rows = await backend.query<{ meta_value: string }>(
      'SELECT meta_value FROM raft_fsm_meta WHERE meta_key = ?',
      [key],
    );
    return rows[0]?.meta_value;
  }

  const fsm: Fsm = {
    async applyCommand(op, value, options = {}) {
      const handler = Object.hasOwn(handlers, op) ? handlers[op as CommandOp] : undefined;
      if (!handler) return fail('UNKNOWN_OP', op, `unknown op "${op}"`);
      let payload: unknown;
      try {
        payload = handler.decode(decodeValue(value, handler.raw === true));
      } catch (err) {
        if (err instanceof PayloadError) return fail('MALFORMED_PAYLOAD', op, err.message);
        return fail('MALFORMED_PAYLOAD', op, err instanceof Error ? err.message : String(err), err);
      }
      try {
        const outcome = await backend.transaction(async (tx) => {
          // The FSM clock: the latest proposer time seen. An entry carrying its proposer's time uses
          // exactly that time, so replaying it after a restart (when the clock has moved past it)
          // writes the same rows as the first apply; only entries without a time use the clock.
          const clockRows = await tx.query<{ meta_value: string }>(
            "SELECT meta_value FROM raft_fsm_meta WHERE meta_key = 'FsmClock'",
          );
          const stored = clockRows[0]?.meta_value ?? EPOCH;
          const envelopeTime =
            options.at !== undefined && Number.isFinite(options.at) ? dbTime(options.at) : undefined;
          const fallbackTime = envelopeTime ?? stored;
          const ctx: ApplyContext = { tx, dialect: backend.dialect, timings, fallbackTime };
          const r = await handler.apply(ctx, payload);
          const upsertMeta = backend.dialect.upsert(
            'raft_fsm_meta',
            ['meta_key', 'meta_value'],
            ['meta_key'],
            ['meta_value'],
          );
          if (envelopeTime && envelopeTime > stored) await tx.exec(upsertMeta, ['FsmClock', envelopeTime]);
          if (options.index !== undefined) await tx.exec(upsertMeta, ['AppliedIndex', String(options.index)]);
          if (options.index !== undefined && options.term !== undefined)
            await tx.exec(upsertMeta, ['AppliedTerm', String(options.term)]);
          return r;
        });
        return { ok: true, op: op as CommandOp, result: outcome.result, effects: outcome.effects };
      } catch (err) {
        return fail(
          'APPLY_FAILED',
          op,
          `backend ${backend.target}: ${err instanceof Error ? err.message : String(err)}`,
          err,
        );
      }
    },
    async applyEntry(data, options = {}) {
      let envelope: CommandEnvelope;
      try {
        const text = typeof data === 'string' ? data : new TextDecoder('utf-8', { fatal: true }).decode(data);
        const parsed = JSON.parse(text) as unknown;
        if (
          parsed === null ||
          typeof parsed !== 'object' ||
          typeof (parsed as CommandEnvelope).op !== 'string'
        ) {
          return fail('MALFORMED_ENVELOPE', '', 'entry is not a {"op","value"} object');
        }
        envelope = parsed as CommandEnvelope;
      } catch (err) {
        return fail('MALFORMED_ENVELOPE', '', 'entry is not valid UTF-8 JSON', err);
      }
      const applyOptions: ApplyOptions = {};
      if (options.index !== undefined) applyOptions.index = options.index;
      if (options.term !== undefined) applyOptions.term = options.term;
      if (typeof envelope.at === 'number') applyOptions.at = envelope.at;
      return fsm.applyCommand(envelope.op, envelope.value, applyOptions);
    },
    async appliedIndex() {
      return Number((await meta('AppliedIndex')) ?? 0);
    },
    async appliedPosition() {
      return {
        index: Number((await meta('AppliedIndex')) ?? 0),
        term: Number((await meta('AppliedTerm')) ?? 0),
      };
    },
  };
  return fsm;
}
