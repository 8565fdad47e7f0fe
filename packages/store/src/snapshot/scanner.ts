// An incremental JSON reader for snapshots: fed text in chunks, it emits the snapshot's parts as
// they complete (top-level fields, each MinimalInstances/Keys element, each table's Columns and
// each row of its Data) so a large snapshot is never parsed, or held, in one piece.

export type SnapshotEvent =
  | { kind: 'field'; key: string; value: unknown }
  | { kind: 'item'; key: string; value: unknown }
  | { kind: 'columns'; table: string; value: unknown }
  | { kind: 'row'; table: string; value: unknown };

type Role = 'top' | 'table' | 'stream' | 'build';

interface Frame {
  kind: 'obj' | 'arr';
  role: Role;
  /** Pending key (objects). */
  key: string;
  expectKey: boolean;
  container?: Record<string, unknown> | unknown[];
  /** For 'table' and 'stream' frames: the table name or the top-level key. */
  name: string;
  /** For 'stream' frames: whether elements are table rows. */
  rows: boolean;
}

const STREAMED_TOP_KEYS = new Set(['Keys', 'MinimalInstances']);
const LITERAL = /[^\s,\]}:]+/y;

export class SnapshotScanner {
  private buf = '';
  private pos = 0;
  private readonly stack: Frame[] = [];
  private events: SnapshotEvent[] = [];
  private done = false;

  /** Feeds text; returns the events completed by it. */
  push(text: string): SnapshotEvent[] {
    this.buf = this.buf.slice(this.pos) + text;
    this.pos = 0;
    this.scan(false);
    return this.take();
  }

  /** Signals the end of input; throws when the JSON is incomplete. */
  end(): SnapshotEvent[] {
    this.scan(true);
    if (!this.done || this.buf.slice(this.pos).trim() !== '')
      throw new Error('snapshot JSON is truncated or has trailing data');
    return this.take();
  }

  private take(): SnapshotEvent[] {
    const out = this.events;
    this.events = [];
    return out;
  }

  private scan(final: boolean): void {
    const buf = this.buf;
    while (this.pos < buf.length) {
      const ch = buf.charCodeAt(this.pos);
      // whitespace
      if (ch === 32 || ch === 10 || ch === 13 || ch === 9) {
        this.pos++;
        continue;
      }
      if (this.done) throw new Error('snapshot JSON has trailing data');
      const c = buf[this.pos]!;
      if (c === '{' || c === '[') {
        this.open(c === '{' ? 'obj' : 'arr');
        this.pos++;
      } else if (c === '}' || c === ']') {
        this.close();
        this.pos++;
      } else if (c === ':') {
        this.pos++;
      } else if (c === ',') {
        const top = this.stack[this.stack.length - 1];
        if (top?.kind === 'obj') top.expectKey = true;
        this.pos++;
      } else if (c === '"') {
        let j = buf.indexOf('"', this.pos + 1);
        while (j !== -1) {
          let bs = 0;
          for (let k = j - 1; buf.charCodeAt(k) === 92; k--) bs++;
          if (bs % 2 === 0) break;
          j = buf.indexOf('"', j + 1);
        }
        if (j === -1) {
          if (final) throw new Error('snapshot JSON ends inside a string');
          return;
        }
        const s = JSON.parse(buf.slice(this.pos, j + 1)) as string;
        this.pos = j + 1;
        const top = this.stack[this.stack.length - 1];
        if (top?.kind === 'obj' && top.expectKey) {
          top.key = s;
          top.expectKey = false;
        } else {
          this.deliver(s);
        }
      } else {
        LITERAL.lastIndex = this.pos;
        const m = LITERAL.exec(buf);
        if (!m) throw new Error(`unexpected character in snapshot JSON at ${this.pos}`);
        const end = this.pos + m[0].length;
        if (end >= buf.length && !final) return;
        let v: unknown;
        try {
          v = JSON.parse(m[0]);
        } catch {
          throw new Error(`invalid literal "${m[0].slice(0, 20)}" in snapshot JSON`);
        }
        this.pos = end;
        this.deliver(v);
      }
    }
  }

  private open(kind: 'obj' | 'arr'): void {
    const parent = this.stack[this.stack.length - 1];
    const frame: Frame = { kind, role: 'build', key: '', expectKey: kind === 'obj', name: '', rows: false };
    if (!parent) {
      if (kind !== 'obj') throw new Error('snapshot JSON must be an object');
      frame.role = 'top';
    } else if (parent.role === 'top' && kind === 'arr' && STREAMED_TOP_KEYS.has(parent.key)) {
      frame.role = 'stream';
      frame.name = parent.key;
    } else if (parent.role === 'top' && kind === 'obj') {
      frame.role = 'table';
      frame.name = parent.key;
    } else if (parent.role === 'table' && kind === 'arr' && parent.key === 'Data') {
      frame.role = 'stream';
      frame.name = parent.name;
      frame.rows = true;
    }
    if (frame.role === 'build') frame.container = kind === 'obj' ? {} : [];
    this.stack.push(frame);
  }

  private close(): void {
    const frame = this.stack.pop();
    if (!frame) throw new Error('unbalanced snapshot JSON');
    if (this.stack.length === 0) {
      this.done = true;
      return;
    }
    if (frame.role === 'build') this.deliver(frame.container);
  }

  private deliver(v: unknown): void {
    const parent = this.stack[this.stack.length - 1];
    if (!parent) throw new Error('snapshot JSON must be an object');
    switch (parent.role) {
      case 'build':
        if (Array.isArray(parent.container)) parent.container.push(v);
        else (parent.container as Record<string, unknown>)[parent.key] = v;
        break;
      case 'stream':
        this.events.push(
          parent.rows
            ? { kind: 'row', table: parent.name, value: v }
            : { kind: 'item', key: parent.name, value: v },
        );
        break;
      case 'top':
        this.events.push({ kind: 'field', key: parent.key, value: v });
        break;
      case 'table':
        if (parent.key === 'Columns') this.events.push({ kind: 'columns', table: parent.name, value: v });
        break;
    }
  }
}
