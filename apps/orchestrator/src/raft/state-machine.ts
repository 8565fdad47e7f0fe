// The replicated state machine of an orchestrator node: every committed command entry is applied
// by the store's FSM to this node's own backend. The FSM never throws; its refusals come back to the
// proposer as { error }. Side effects (probe this instance, report health, snapshot later, yield)
// are handed to the daemon — but not for entries this backend had already applied before this
// process started (a restart replays the log; the effects happened the first time).
import { type Entry, type StateMachine, StateMachineUnavailableError } from '@orchestrator/consensus';
import type { SideEffect, Store } from '@orchestrator/store';
import type { Logger } from '../logger.js';
import { isBackendUnavailable } from './backend-faults.js';
import type { ApplyResult } from './service.js';

export class OrchestratorStateMachine implements StateMachine {
  private leaderUri = '';
  private appliedBeforeStart = 0;
  private appliedTermBeforeStart = 0;

  constructor(
    private readonly store: Store,
    private readonly onEffects: (effects: readonly SideEffect[]) => void,
    private readonly log: Logger,
    /** Seconds each entry took to apply to the backend (metrics). */
    private readonly observeApply?: (seconds: number) => void,
  ) {}

  /** Loads what the backend already holds (LeaderURI, last applied index). */
  async init(): Promise<void> {
    this.leaderUri = await this.store.fsmMeta.leaderURI();
    const position = await this.store.fsm.appliedPosition();
    this.appliedBeforeStart = position.index;
    this.appliedTermBeforeStart = position.term;
  }

  leaderURI(): string {
    return this.leaderUri;
  }

  /** The backend is durable: what it had applied before this start need not be restored from a snapshot. */
  durablePosition(): { index: number; term: number } {
    return { index: this.appliedBeforeStart, term: this.appliedTermBeforeStart };
  }

  async apply(entry: Entry): Promise<ApplyResult> {
    const started = this.observeApply ? performance.now() : 0;
    const outcome = await this.store.applyEntry(entry.data, { index: entry.index, term: entry.term });
    this.observeApply?.((performance.now() - started) / 1000);
    if (!outcome.ok && isBackendUnavailable(outcome.error)) {
      // Not the command's fault: the backend cannot be written now. Raft retries this entry; it is
      // never skipped (this node would miss a replicated change).
      throw new StateMachineUnavailableError(
        `backend cannot apply entry ${entry.index}: ${outcome.error.message}`,
        { cause: outcome.error },
      );
    }
    if (!outcome.ok) {
      this.log.warn(
        { index: entry.index, op: outcome.op, error: outcome.error.message },
        'replicated command refused',
      );
      return { error: outcome.error.message, code: outcome.error.code };
    }
    for (const effect of outcome.effects) {
      if (effect.type === 'leader-uri') this.leaderUri = effect.uri;
    }
    if (entry.index > this.appliedBeforeStart && outcome.effects.length > 0) this.onEffects(outcome.effects);
    return { result: outcome.result };
  }

  async snapshot(): Promise<Uint8Array> {
    return new Uint8Array(await this.store.snapshot());
  }

  async restore(data: Uint8Array): Promise<void> {
    let result: Awaited<ReturnType<Store['restore']>>;
    try {
      result = await this.store.restore(Buffer.from(data.buffer, data.byteOffset, data.byteLength));
    } catch (err) {
      if (!isBackendUnavailable(err)) throw err;
      throw new StateMachineUnavailableError(
        `backend cannot restore a raft snapshot: ${(err as Error).message}`,
        { cause: err },
      );
    }
    this.leaderUri = result.leaderURI;
    this.log.info(
      { added: result.added.length, forgotten: result.forgotten.length, leaderURI: result.leaderURI },
      'restored a raft snapshot into the backend',
    );
    if (result.forgotten.length > 0) this.onEffects([{ type: 'forgotten', keys: result.forgotten }]);
  }
}
