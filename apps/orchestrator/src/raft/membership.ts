// Config-driven membership (architecture.md § Consensus): RaftNodes is the operator's desired
// membership. After the first start, membership lives in the raft log; when a node starts with a
// RaftNodes list that differs from the one it last started with, then whenever it is leader it moves
// the membership toward that list one server at a time (removals first, so a dead node being
// replaced never counts toward the quorum the new node must help form). raft-add-peer and
// raft-remove-peer changes persist and are not undone while the config is unchanged.
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

interface MembershipFile {
  /** RaftNodes as of the last start. */
  configured: string[];
  /** A config change not yet reached by the membership. */
  pending: boolean;
}

const sameSet = (a: readonly string[], b: readonly string[]) =>
  a.length === b.length && [...a].sort().join(',') === [...b].sort().join(',');

/** The next single-server change toward `desired`, or undefined when there is none to make. */
export function nextMembershipChange(
  current: readonly string[],
  desired: readonly string[],
  self: string,
): { type: 'remove' | 'add'; node: string } | undefined {
  const extra = current.find((m) => !desired.includes(m) && m !== self);
  if (extra !== undefined) return { type: 'remove', node: extra };
  const missing = desired.find((m) => !current.includes(m));
  if (missing !== undefined) return { type: 'add', node: missing };
  return undefined;
}

export class MembershipIntent {
  private state: MembershipFile;
  private readonly file: string;

  constructor(dataDir: string, configured: readonly string[]) {
    this.file = join(dataDir, 'orchestrator-raft-nodes.json');
    const previous = this.read();
    if (previous === undefined) this.state = { configured: [...configured], pending: false };
    else if (!sameSet(previous.configured, configured))
      this.state = { configured: [...configured], pending: true };
    else this.state = previous;
    this.write();
  }

  get desired(): readonly string[] {
    return this.state.configured;
  }

  get pending(): boolean {
    return this.state.pending;
  }

  /** The membership reached the configured list: stop steering it. */
  settle(): void {
    if (!this.state.pending) return;
    this.state = { ...this.state, pending: false };
    this.write();
  }

  isReached(current: readonly string[]): boolean {
    return sameSet(current, this.state.configured);
  }

  private read(): MembershipFile | undefined {
    if (!existsSync(this.file)) return undefined;
    try {
      const parsed = JSON.parse(readFileSync(this.file, 'utf8')) as MembershipFile;
      if (Array.isArray(parsed.configured) && typeof parsed.pending === 'boolean') return parsed;
    } catch {
      // unreadable: treat as a first start (the log still holds the real membership)
    }
    return undefined;
  }

  private write(): void {
    const tmp = `${this.file}.tmp`;
    writeFileSync(tmp, `${JSON.stringify(this.state)}\n`);
    renameSync(tmp, this.file);
  }
}
