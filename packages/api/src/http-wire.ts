// Parsing what a leader sends back over HTTP/1.1: the response head, and a body framed by
// Content-Length or chunked encoding. Shared by the follower's keep-alive and pipelined clients.

export interface RawResponse {
  status: number;
  /** Flat [name, value, name, value, …] as received. */
  rawHeaders: string[];
  body: Buffer;
}

export interface ResponseHead {
  status: number;
  rawHeaders: string[];
  /** Offset of the body in the buffer the head was parsed from. */
  bodyStart: number;
  /** Content-Length, or -1 when the body is chunked or runs to the end of the connection. */
  length: number;
  chunked: boolean;
  keepAlive: boolean;
}

const CRLF2 = Buffer.from('\r\n\r\n');

/** The head at the start of `buf`: null while incomplete, 'bad' when it is not HTTP/1.x. */
export function parseResponseHead(buf: Buffer, isHead: boolean): ResponseHead | null | 'bad' {
  const end = buf.indexOf(CRLF2);
  if (end < 0) return null;
  return parseHead(buf.toString('latin1', 0, end), end + 4, isHead) ?? 'bad';
}

/** The body after `head` once complete (and where it ends in `buf`); null while incomplete. */
export function readBody(buf: Buffer, head: ResponseHead): { body: Buffer; end: number } | null | 'bad' {
  if (head.chunked) return dechunk(buf, head.bodyStart);
  if (head.length < 0 || buf.length < head.bodyStart + head.length) return null;
  const end = head.bodyStart + head.length;
  return { body: buf.subarray(head.bodyStart, end), end };
}

function parseHead(text: string, bodyStart: number, isHead: boolean): ResponseHead | null {
  const lines = text.split('\r\n');
  const m = /^HTTP\/1\.([01]) (\d{3})/.exec(lines[0] ?? '');
  if (!m) return null;
  const rawHeaders: string[] = [];
  let length = -1;
  let chunked = false;
  let keepAlive = m[1] === '1';
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i] as string;
    const colon = line.indexOf(':');
    if (colon <= 0) return null;
    const name = line.slice(0, colon).trim();
    const value = line.slice(colon + 1).trim();
    rawHeaders.push(name, value);
    const lower = name.toLowerCase();
    if (lower === 'content-length') length = Number(value);
    else if (lower === 'transfer-encoding') chunked = value.toLowerCase().includes('chunked');
    else if (lower === 'connection') keepAlive = !value.toLowerCase().includes('close');
  }
  const status = Number(m[2]);
  if (isHead || status === 204 || status === 304 || (status >= 100 && status < 200)) {
    length = 0;
    chunked = false;
  }
  if (!chunked && length < 0) keepAlive = false; // body runs to the end of the connection
  if (Number.isNaN(length)) return null;
  return { status, rawHeaders, bodyStart, length, chunked, keepAlive };
}

/** The decoded body and where it ends, once the terminating chunk has arrived; null while incomplete. */
function dechunk(buf: Buffer, start: number): { body: Buffer; end: number } | null | 'bad' {
  const parts: Buffer[] = [];
  let at = start;
  for (;;) {
    const eol = buf.indexOf('\r\n', at);
    if (eol < 0) return null;
    const size = Number.parseInt(buf.toString('latin1', at, eol).split(';')[0] ?? '', 16);
    if (Number.isNaN(size)) return 'bad';
    if (size === 0) {
      // The last chunk, then optional trailers, then an empty line.
      const blank = buf.indexOf(CRLF2, eol);
      return blank < 0 ? null : { body: Buffer.concat(parts), end: blank + 4 };
    }
    if (buf.length < eol + 2 + size + 2) return null;
    parts.push(buf.subarray(eol + 2, eol + 2 + size));
    at = eol + 2 + size + 2;
  }
}
