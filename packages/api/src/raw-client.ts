// A minimal HTTP/1.1 keep-alive client for follower → leader forwarding (http or https).
// Node's http client costs about as much CPU per request as the whole server side of a request;
// on a follower, forwarding is the whole job, so this client writes each request as one string and
// parses only what the leader sends back (status, headers, Content-Length or chunked body).
import type net from 'node:net';
import { type DialTls, dial, type Origin, originKey } from './dial.js';
import { parseResponseHead, type RawResponse, type ResponseHead, readBody } from './http-wire.js';

export type { RawResponse } from './http-wire.js';

/** Answers larger than this are refused (the API's answers are small JSON documents). */
const MAX_BODY = 256 * 1024 * 1024;

export class RawHttpPool {
  private readonly idle = new Map<string, net.Socket[]>();
  private readonly waiting: (() => void)[] = [];
  private active = 0;
  private closed = false;

  /**
   * @param timeoutMs connect + answer timeout per request
   * @param maxActive connections in use at once; further requests wait their turn
   */
  constructor(
    private readonly timeoutMs: number,
    private readonly maxActive = 256,
    private readonly maxIdlePerOrigin = 64,
    private readonly tls?: DialTls,
  ) {}

  /**
   * Sends `head` (request line + headers, ending in a blank line) to host:port and resolves with the
   * whole response. An idempotent request that a reused connection could not deliver (the server
   * had closed it) is sent again on a new one. A request that is not idempotent (this API's GETs
   * change state: begin-downtime, graceful-master-takeover, …) always goes out on a new connection
   * and is never sent twice: a closed kept connection cannot tell whether the server acted on it.
   */
  async request(origin: Origin, head: string, isHead: boolean, idempotent = true): Promise<RawResponse> {
    if (this.active >= this.maxActive) await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.active++;
    try {
      if (!idempotent) return await this.exchange(originKey(origin), this.dial(origin), head, isHead, false);
      return await this.attempt(origin, head, isHead);
    } finally {
      this.active--;
      this.waiting.shift()?.();
    }
  }

  private dial(origin: Origin): net.Socket {
    return dial(origin, this.tls);
  }

  private async attempt(target: Origin, head: string, isHead: boolean): Promise<RawResponse> {
    const origin = originKey(target);
    const reused = this.idle.get(origin)?.pop();
    if (reused !== undefined) {
      idleWatchers.get(reused)?.();
      try {
        return await this.exchange(origin, reused, head, isHead, true);
      } catch (err) {
        if (!(err instanceof StaleConnection)) throw err;
      }
    }
    return this.exchange(origin, this.dial(target), head, isHead, false);
  }

  close(): void {
    this.closed = true;
    for (const sockets of this.idle.values()) for (const s of sockets) s.destroy();
    this.idle.clear();
  }

  private exchange(origin: string, socket: net.Socket, head: string, isHead: boolean, reused: boolean) {
    return new Promise<RawResponse>((resolve, reject) => {
      let buf: Buffer = Buffer.alloc(0);
      let parsed: ResponseHead | null = null;
      let settled = false;
      const finish = (err: Error | null, res?: RawResponse, keep = false) => {
        if (settled) return;
        settled = true;
        socket.off('data', onData);
        socket.off('error', onError);
        socket.off('end', onEnd);
        socket.off('timeout', onTimeout);
        socket.setTimeout(0);
        if (err !== null) {
          socket.destroy();
          reject(err);
          return;
        }
        if (keep && !this.closed) this.release(origin, socket);
        else socket.destroy();
        resolve(res as RawResponse);
      };
      const onError = (err: Error) =>
        finish(reused && buf.length === 0 ? new StaleConnection(err.message) : err);
      const onEnd = () => {
        if (parsed !== null && !parsed.chunked && parsed.length < 0) {
          finish(null, {
            status: parsed.status,
            rawHeaders: parsed.rawHeaders,
            body: buf.subarray(parsed.bodyStart),
          });
          return;
        }
        finish(
          reused && buf.length === 0
            ? new StaleConnection('closed')
            : new Error('connection closed mid-response'),
        );
      };
      const onTimeout = () => finish(new Error(`no answer within ${this.timeoutMs} ms`));
      const onData = (chunk: Buffer) => {
        buf = buf.length === 0 ? chunk : Buffer.concat([buf, chunk]);
        if (buf.length > MAX_BODY) return finish(new Error('answer too large'));
        if (parsed === null) {
          const head = parseResponseHead(buf, isHead);
          if (head === null) return;
          if (head === 'bad') return finish(new Error('malformed response from the leader'));
          parsed = head;
        }
        const p = parsed;
        const body = readBody(buf, p);
        if (body === 'bad') return finish(new Error('malformed chunked body from the leader'));
        if (body !== null)
          finish(null, { status: p.status, rawHeaders: p.rawHeaders, body: body.body }, p.keepAlive);
      };
      socket.on('data', onData);
      socket.on('error', onError);
      socket.on('end', onEnd);
      socket.on('timeout', onTimeout);
      socket.setTimeout(this.timeoutMs);
      socket.write(head, 'latin1');
    });
  }

  private release(origin: string, socket: net.Socket): void {
    const list = this.idle.get(origin) ?? [];
    if (list.length >= this.maxIdlePerOrigin) {
      socket.destroy();
      return;
    }
    list.push(socket);
    this.idle.set(origin, list);
    // An idle connection the server closes is dropped from the pool.
    const drop = () => {
      const i = list.indexOf(socket);
      if (i >= 0) list.splice(i, 1);
      socket.destroy();
    };
    socket.once('close', drop);
    socket.once('end', drop);
    socket.once('error', drop);
    socket.once('data', drop);
    // The watchers are removed when the socket is taken for the next exchange.
    idleWatchers.set(socket, () => {
      idleWatchers.delete(socket);
      socket.off('close', drop);
      socket.off('end', drop);
      socket.off('error', drop);
      socket.off('data', drop);
    });
  }
}

const idleWatchers = new WeakMap<net.Socket, () => void>();

class StaleConnection extends Error {}
