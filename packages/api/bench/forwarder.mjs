// A bare follower→leader forwarder for comparing HTTP clients (proxy-client-bench.mjs): each
// request is forwarded with the client named on the command line and its answer written back, with
// the same header handling. Usage: node forwarder.mjs <raw|pipelined|undici-1|undici-10> <leaderURL>.
import http from 'node:http';
import { Pool } from 'undici';
import { PipelinedHttpPool } from '../dist/pipelined-client.js';
import { RawHttpPool } from '../dist/raw-client.js';

const [variant, leaderURL] = process.argv.slice(2);
const target = new URL(leaderURL);
const port = Number(target.port);

function rawHead(req) {
  let head = `${req.method} ${req.url} HTTP/1.1\r\nHost: ${target.host}\r\n`;
  for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) {
    const lower = req.rawHeaders[i].toLowerCase();
    if (lower !== 'host' && lower !== 'connection')
      head += `${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}\r\n`;
  }
  return `${head}X-Forwarded-For: ${req.socket.remoteAddress}\r\nConnection: keep-alive\r\n\r\n`;
}

function writeAnswer(res, status, rawHeaders, body) {
  const headers = [];
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const lower = rawHeaders[i].toLowerCase();
    if (
      lower !== 'content-length' &&
      lower !== 'connection' &&
      lower !== 'keep-alive' &&
      lower !== 'transfer-encoding'
    )
      headers.push(rawHeaders[i], rawHeaders[i + 1]);
  }
  headers.push('Content-Length', String(body.length));
  res.writeHead(status, headers);
  res.end(body);
}

let forward;
if (variant === 'raw' || variant === 'pipelined') {
  const pool = variant === 'raw' ? new RawHttpPool(10_000) : new PipelinedHttpPool(10_000);
  forward = async (req, res) => {
    const answer =
      variant === 'raw'
        ? await pool.request('127.0.0.1', port, rawHead(req), false, true)
        : await pool.request('127.0.0.1', port, rawHead(req), false);
    writeAnswer(res, answer.status, answer.rawHeaders, answer.body);
  };
} else {
  const pipelining = Number(variant.split('-')[1]);
  const pool = new Pool(target.origin, { pipelining, connections: 32, keepAliveTimeout: 10_000 });
  forward = async (req, res) => {
    const headers = [];
    for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) {
      const lower = req.rawHeaders[i].toLowerCase();
      if (lower !== 'host' && lower !== 'connection') headers.push(req.rawHeaders[i], req.rawHeaders[i + 1]);
    }
    headers.push('X-Forwarded-For', req.socket.remoteAddress);
    const answer = await pool.request({ path: req.url, method: req.method, headers });
    const raw = [];
    for (const [name, value] of Object.entries(answer.headers)) raw.push(name, String(value));
    writeAnswer(res, answer.statusCode, raw, Buffer.from(await answer.body.arrayBuffer()));
  };
}

const server = http.createServer((req, res) => {
  forward(req, res).catch((err) => {
    res.writeHead(503);
    res.end(String(err.message));
  });
});
server.keepAliveTimeout = 30_000;
server.listen(0, '127.0.0.1', () => process.stdout.write(`http://127.0.0.1:${server.address().port}\n`));
process.on('SIGTERM', () => process.exit(0));
