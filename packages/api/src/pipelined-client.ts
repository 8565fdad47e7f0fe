// HTTP/1.1 pipelining from a follower to the leader, for short reads only. Requests that arrive in
// the same event-loop turn go out in one write on one connection, and the leader reads them in one
// read: on loopback every syscall also pays for the receiving side, and a proxied request otherwise
// costs the follower four of them and the leader two.
//
// Only for requests that are safe to send again (GETs of routes that read): when a connection dies,
// the requests still waiting on it are retried once on a new one, and the leader may have served
// some of them already. Answers come back in request order, so one slow answer delays the ones behind
// it on its connection; use it for routes that answer quickly (the cached instance and cluster views).
import type net from 'node:net';
import { type DialTls, dial, type Origin, originKey } from './dial.js';
import { parseResponseHead, type RawResponse, type ResponseHead, readBody } from './http-wire.js';

interface Pending {
  readonly head: string;
  readonly isHead: boolean;
  readonly resolve: (r: RawResponse) => void;
  readonly reject: (e: Error) => void;
  readonly deadline: number;
  retried: boolean;
}

class PipelinedConnection {
  readonly socket: net.Socket;
  readonly inflight: Pending[] = [];
  private buf: Buffer = Buffer.alloc(0);
  private queued: string[] = [];
  private flushScheduled = false;
  private timer: NodeJS.Timeout | undefined;
  /** The head of an answer whose body runs to the end of the connection (no length, not chunked). */
  private untilEnd: ResponseHead | undefined;
  dead = false;

  constructor(
    origin: Origin,
    tlsOptions: DialTls | undefined,
    private readonly timeoutMs: number,
    private readonly onDead: (c: PipelinedConnection, waiting: Pending[], why: Error) => void,
  ) {
    this.socket = dial(origin, tlsOptions);
    this.socket.on('data', (chunk: Buffer) => this.onData(chunk));
    this.socket.on('error', (err) => this.die(err));
    this.socket.on('end', () => this.onEnd());
    this.socket.on('close', () => this.die(new Error('connection closed')));
  }

  send(p: Pending): void {
    this.inflight.push(p);
    this.queued.push(p.head);
    this.armTimer();
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    // Every request of this event-loop turn joins one write.
    setImmediate(() => {
      this.flushScheduled = false;
      if (this.dead || this.queued.length === 0) return;
      const out = this.queued.length === 1 ? (this.queued[0] as string) : this.queued.join('');
      this.queued = [];
      this.socket.write(out, 'latin1');
    });
  }

  private armTimer(): void {
    if (this.timer !== undefined || this.inflight.length === 0) return;
    const first = this.inflight[0] as Pending;
    this.timer = setTimeout(
      () => {
        this.timer = undefined;
        if (this.inflight.length > 0 && this.inflight[0]?.deadline === first.deadline)
          this.die(new TimeoutError(`no answer within ${this.timeoutMs} ms`));
        else this.armTimer();
      },
      Math.max(1, first.deadline - performance.now()),
    );
  }

  private onData(chunk: Buffer): void {
    this.buf = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk]);
    while (this.inflight.length > 0) {
      const p = this.inflight[0] as Pending;
      const head = parseResponseHead(this.buf, p.isHead);
      if (head === null) return; // the head is not complete yet
      if (head === 'bad') {
        this.die(new Error('malformed response from the leader'));
        return;
      }
      if (head.length < 0 && !head.chunked) {
        // The body runs to the end of the connection; what was pipelined behind it is sent again.
        this.untilEnd = head;
        return;
      }
      const body = readBody(this.buf, head);
      if (body === null) return;
      if (body === 'bad') {
        this.die(new Error('malformed chunked body from the leader'));
        return;
      }
      this.inflight.shift();
      this.buf = this.buf.subarray(body.end);
      clearTimeout(this.timer);
      this.timer = undefined;
      this.armTimer();
      p.resolve({ status: head.status, rawHeaders: head.rawHeaders, body: body.body });
      if (!head.keepAlive) {
        this.die(new Error('the leader closed the connection'));
        return;
      }
    }
    if (this.buf.length > 0) this.die(new Error('unexpected bytes from the leader'));
  }

  private onEnd(): void {
    const head = this.untilEnd;
    const p = this.inflight[0];
    if (head !== undefined && p !== undefined) {
      this.inflight.shift();
      p.resolve({
        status: head.status,
        rawHeaders: head.rawHeaders,
        body: this.buf.subarray(head.bodyStart),
      });
    }
    this.die(new Error('the leader closed the connection'));
  }

  die(why: Error): void {
    if (this.dead) return;
    this.dead = true;
    clearTimeout(this.timer);
    this.socket.destroy();
    const waiting = this.inflight.splice(0);
    this.onDead(this, waiting, why);
  }
}

class TimeoutError extends Error {}

export class PipelinedHttpPool {
  private readonly connections = new Map<string, PipelinedConnection[]>();
  private closed = false;

  /**
   * @param timeoutMs connect + answer timeout per request
   * @param depth requests waiting on one connection before another is opened
   * @param maxConnections connections per leader
   */
  constructor(
    private readonly timeoutMs: number,
    private readonly depth = 8,
    private readonly maxConnections = 16,
    private readonly tls?: DialTls,
  ) {}

  request(origin: Origin, head: string, isHead: boolean): Promise<RawResponse> {
    if (this.closed) return Promise.reject(new Error('the proxy is closed'));
    return new Promise<RawResponse>((resolve, reject) => {
      this.dispatch(origin, {
        head,
        isHead,
        resolve,
        reject,
        deadline: performance.now() + this.timeoutMs,
        retried: false,
      });
    });
  }

  close(): void {
    this.closed = true;
    for (const list of this.connections.values())
      for (const c of list) c.die(new Error('the proxy is closed'));
    this.connections.clear();
  }

  private dispatch(origin: Origin, p: Pending): void {
    const key = originKey(origin);
    const list = this.connections.get(key) ?? [];
    this.connections.set(key, list);
    let best: PipelinedConnection | undefined;
    for (const c of list)
      if (!c.dead && (best === undefined || c.inflight.length < best.inflight.length)) best = c;
    if (best === undefined || (best.inflight.length >= this.depth && list.length < this.maxConnections)) {
      best = new PipelinedConnection(origin, this.tls, this.timeoutMs, (dead, waiting, why) => {
        const i = list.indexOf(dead);
        if (i >= 0) list.splice(i, 1);
        for (const w of waiting) {
          // Sent again once, on a fresh connection, unless it ran out of time: a kept connection the
          // leader had closed, or a leader that restarted, is not an error the client should see.
          if (
            !w.retried &&
            !(why instanceof TimeoutError) &&
            !this.closed &&
            performance.now() < w.deadline
          ) {
            w.retried = true;
            this.dispatch(origin, w);
          } else {
            w.reject(why);
          }
        }
      });
      list.push(best);
    }
    best.send(p);
  }
}
