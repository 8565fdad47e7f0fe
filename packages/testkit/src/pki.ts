// A throwaway CA and node certificate for 127.0.0.1 (SAN IP:127.0.0.1, DNS:localhost), made with the openssl CLI.
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

export function hasOpenssl(): boolean {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

export function makePki(dir: string, name: string): { ca: string; cert: string; key: string } {
  const p = (f: string) => join(dir, `${name}-${f}`);
  const run = (args: string[]) => execFileSync('openssl', args, { stdio: 'pipe' });
  run(
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      p('ca.key'),
      '-out',
      p('ca.pem'),
      '-days',
      '1',
    ].concat(['-subj', `/CN=${name}-ca`]),
  );
  writeFileSync(p('ext.cnf'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
  run([
    'req',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    p('node.key'),
    '-out',
    p('node.csr'),
    '-subj',
    `/CN=${name}-node`,
  ]);
  run(
    [
      'x509',
      '-req',
      '-in',
      p('node.csr'),
      '-CA',
      p('ca.pem'),
      '-CAkey',
      p('ca.key'),
      '-CAcreateserial',
    ].concat(['-out', p('node.pem'), '-days', '1', '-extfile', p('ext.cnf')]),
  );
  return { ca: p('ca.pem'), cert: p('node.pem'), key: p('node.key') };
}
