// The daemon's command line: raft-mode refusal of other commands (the seed's "What to deploy:
// client"), clear errors for bad configuration, --version and --help.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { CLI } from '../src/index.js';

const run = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), 'orchestrator-cli-'));

async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [CLI, ...args], { timeout: 20_000 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

function configFile(name: string, content: unknown): string {
  const file = join(dir, name);
  writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content));
  return file;
}

afterAll(() => rmSync(dir, { recursive: true, force: true }));

const raftConfig = {
  RaftEnabled: true,
  RaftDataDir: join(dir, 'raft'),
  RaftBind: '127.0.0.1:10008',
  RaftNodes: ['127.0.0.1:10008', '127.0.0.1:10009', '127.0.0.1:10010'],
  BackendDB: 'sqlite',
  SQLite3DataFile: join(dir, 'orc.sqlite3'),
};

describe('orchestrator command line', () => {
  it('refuses any command other than http in raft mode, pointing to orchestrator-client', async () => {
    const file = configFile('raft.json', raftConfig);
    const r = await cli([`--config=${file}`, '-c', 'begin-downtime']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('refusing to run command "begin-downtime"');
    expect(r.stderr).toContain('RaftEnabled');
    expect(r.stderr).toContain('orchestrator-client');
    expect(r.stderr).toContain('--ignore-raft-setup');
  });

  it('with --ignore-raft-setup refuses a command that changes replicated state: this node would diverge', async () => {
    const file = configFile('raft2.json', raftConfig);
    const r = await cli([
      `--config=${file}`,
      '--ignore-raft-setup',
      '-c',
      'begin-downtime',
      '-i',
      'db1:3306',
    ]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('refusing to run command "begin-downtime" with --ignore-raft-setup');
    expect(r.stderr).toContain('diverge');
  });

  it('with --ignore-raft-setup runs read commands against this node’s backend', async () => {
    const file = configFile('raft3.json', { ...raftConfig, SQLite3DataFile: join(dir, 'orc3.sqlite3') });
    const r = await cli([`--config=${file}`, '--ignore-raft-setup', '-c', 'clusters']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe('');
  });

  it('names an unknown command', async () => {
    const file = configFile('single.json', {
      BackendDB: 'sqlite',
      SQLite3DataFile: join(dir, 'single.sqlite3'),
    });
    const unknown = await cli([`--config=${file}`, '-c', 'no-such-command']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('Unknown command: "no-such-command"');
  });

  it('stops on invalid config values with a message naming every bad key', async () => {
    const file = configFile('bad.json', {
      ...raftConfig,
      InstancePollSeconds: 'often',
      HTTPAdvertise: 'http://host/path',
      DefaultRaftPort: 70000,
    });
    const r = await cli([`--config=${file}`, 'http']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('InstancePollSeconds');
    expect(r.stderr).toContain('HTTPAdvertise');
    expect(r.stderr).toContain('DefaultRaftPort');
    expect(r.stderr).toContain(file);
  });

  it('names the file when the config is not valid JSON, and when it does not exist', async () => {
    const file = configFile('broken.json', '{ "RaftEnabled": tru');
    const broken = await cli([`--config=${file}`, 'http']);
    expect(broken.code).not.toBe(0);
    expect(broken.stderr).toContain(file);
    const missing = await cli([`--config=${join(dir, 'nope.json')}`, 'http']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('nope.json');
    expect(missing.stderr).toContain('does not exist');
  });

  it('prints its version and help', async () => {
    const v = await cli(['--version']);
    expect(v.code).toBe(0);
    expect(v.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
    const h = await cli(['--help']);
    expect(h.code).toBe(0);
    expect(h.stdout).toContain('--config');
    expect(h.stdout).toContain('--ignore-raft-setup');
  });
});
