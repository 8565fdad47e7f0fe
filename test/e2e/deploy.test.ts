// The deploy files work as written: systemd accepts the unit (systemd-analyze verify, and its offline
// security review rates the hardening), the unit keeps restarting while a new MySQL backend waits for
// its GRANTs, and the README's install steps, run into a temporary root by scripts/install.sh, give
// a layout from which the daemon starts as the unit says: ExecStart= as User=orchestrator (the uid
// systemd-sysusers created in that root), environment from EnvironmentFile=, the StateDirectory=
// systemd would create, the installed example config edited only where a box's addresses go. And
// what the restart policy relies on: against a backend without GRANTs the daemon exits (it does not
// hang half-started), and once deploy/grants.sql has run, the next start succeeds.
import { execFileSync } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePorts, type MariaDBServer, ProcessHandle, startMariaDB } from '@orchestrator/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, eventually } from '../src/index.js';
import {
  parseEnvironmentFile,
  parseUnitFile,
  runSystemdTool,
  type UnitFile,
  unitValue,
} from '../src/systemd.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const UNIT = join(repoRoot, 'deploy/orchestrator.service');

/** The system user systemd-sysusers created in `root` (name → uid, gid). */
function userIn(root: string, name: string): { uid: number; gid: number } {
  const line = readFileSync(join(root, 'etc/passwd'), 'utf8')
    .split('\n')
    .find((l) => l.startsWith(`${name}:`));
  if (!line) throw new Error(`no user ${name} in ${root}/etc/passwd`);
  const [, , uid, gid] = line.split(':');
  return { uid: Number(uid), gid: Number(gid) };
}

function mode(path: string): string {
  return (statSync(path).mode & 0o7777).toString(8).padStart(4, '0');
}

describe('deploy/orchestrator.service', () => {
  const unit: UnitFile = parseUnitFile(readFileSync(UNIT, 'utf8'));

  it('passes systemd-analyze verify without a warning', () => {
    const run = runSystemdTool('systemd-analyze', ['verify', UNIT]);
    expect(run.output).toBe('');
    expect(run.status).toBe(0);
  });

  it('is rated OK or better by systemd-analyze security --offline', () => {
    const run = runSystemdTool('systemd-analyze', ['security', '--offline=yes', '--no-pager', UNIT]);
    const overall = /Overall exposure level for orchestrator\.service: ([\d.]+) (\S+)/.exec(run.output);
    expect(overall, run.output).not.toBeNull();
    console.log(`systemd-analyze security: exposure ${overall![1]} ${overall![2]}`);
    // systemd's scale: ≤ 1.9 SAFE, ≤ 4.9 OK, then MEDIUM, EXPOSED, UNSAFE.
    expect(Number(overall![1])).toBeLessThanOrEqual(4.9);
    expect(['SAFE', 'OK']).toContain(overall![2]);
  });

  it('runs as its own user with secrets from an EnvironmentFile and its data in the StateDirectory', () => {
    expect(unitValue(unit, 'Service', 'User')).toBe('orchestrator');
    expect(unitValue(unit, 'Service', 'EnvironmentFile')).toBe('/etc/orchestrator/orchestrator.env');
    expect(unitValue(unit, 'Service', 'StateDirectory')).toBe('orchestrator');
    for (const example of ['orchestrator.conf.sqlite.json', 'orchestrator.conf.mysql.json']) {
      const config = JSON.parse(readFileSync(join(repoRoot, 'deploy', example), 'utf8')) as Record<
        string,
        unknown
      >;
      // Every data path lies in the StateDirectory: the only place ProtectSystem=strict lets it write.
      for (const key of ['RaftDataDir', 'SQLite3DataFile']) {
        if (config[key] !== undefined)
          expect(config[key], `${example} ${key}`).toMatch(/^\/var\/lib\/orchestrator\//);
      }
      // Every ${NAME} the config references is set in the example environment file.
      const env = parseEnvironmentFile(
        readFileSync(join(repoRoot, 'deploy/orchestrator.env.example'), 'utf8'),
      );
      for (const [, name] of JSON.stringify(config).matchAll(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g)) {
        expect(env, `${example} references ${name}`).toHaveProperty(name!);
      }
    }
  });

  it('keeps restarting while the MySQL backend has no GRANTs yet, never stopped by the start-rate limit', () => {
    const restart = unitValue(unit, 'Service', 'Restart');
    expect(['always', 'on-failure']).toContain(restart);
    expect(Number.parseFloat(unitValue(unit, 'Service', 'RestartSec') ?? '0')).toBeGreaterThan(0);
    // 0 turns the rate limit off; systemd reads it from [Unit] only (in [Service] it is ignored).
    expect(unitValue(unit, 'Unit', 'StartLimitIntervalSec')).toBe('0');
    expect(unit.get('Service')?.has('StartLimitIntervalSec')).toBe(false);
  });
});

describe('scripts/install.sh into a temporary root (the README install steps)', () => {
  let root: string;
  let daemon: ProcessHandle | undefined;

  beforeAll(() => {
    // Not under the testkit's private temp dir: the service user must reach the files, as from /.
    root = mkdtempSync(join(tmpdir(), 'orch-deploy-root-'));
    chmodSync(root, 0o755);
    execFileSync(join(repoRoot, 'scripts/install.sh'), ['sqlite'], {
      cwd: repoRoot,
      env: { ...process.env, DESTDIR: root },
      stdio: 'pipe',
    });
  }, 120_000);

  afterAll(async () => {
    await daemon?.stop();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  it('lays out the unit, the user, the config and the secrets with their owners and modes', () => {
    const { gid } = userIn(root, 'orchestrator');
    expect(readFileSync(join(root, 'etc/systemd/system/orchestrator.service'), 'utf8')).toBe(
      readFileSync(UNIT, 'utf8'),
    );
    const config = join(root, 'etc/orchestrator.conf.json');
    expect(readFileSync(config, 'utf8')).toBe(
      readFileSync(join(repoRoot, 'deploy/orchestrator.conf.sqlite.json'), 'utf8'),
    );
    expect([mode(config), statSync(config).uid, statSync(config).gid]).toEqual(['0640', 0, gid]);
    const envFile = join(root, 'etc/orchestrator/orchestrator.env');
    expect([mode(envFile), statSync(envFile).uid]).toEqual(['0600', 0]);
    expect(statSync(join(root, 'opt/orchestrator/apps/orchestrator/dist/orchestrator.mjs')).isFile()).toBe(
      true,
    );
    expect(statSync(join(root, 'opt/orchestrator/apps/web/dist/index.html')).isFile()).toBe(true);
    expect(statSync(join(root, 'opt/orchestrator/node_modules/better-sqlite3')).isDirectory()).toBe(true);
    // The installed unit is the one systemd-analyze verified above; verify the installed copy too.
    const run = runSystemdTool('systemd-analyze', [
      'verify',
      join(root, 'etc/systemd/system/orchestrator.service'),
    ]);
    expect(run.output).toBe('');
  });

  it('starts as the unit says (user, environment file, state directory) and answers /api/health', async () => {
    const unit = parseUnitFile(readFileSync(join(root, 'etc/systemd/system/orchestrator.service'), 'utf8'));
    const { uid, gid } = userIn(root, 'orchestrator');
    expect(unitValue(unit, 'Service', 'User')).toBe('orchestrator');
    const inRoot = (path: string) => join(root, path);

    // What systemd does at start: create the StateDirectory owned by the user, read the environment.
    mkdirSync(inRoot('/var/lib'), { recursive: true, mode: 0o755 });
    const stateDir = inRoot(`/var/lib/${unitValue(unit, 'Service', 'StateDirectory')}`);
    mkdirSync(stateDir, { mode: 0o750 });
    chownSync(stateDir, uid, gid);
    const envFile = unitValue(unit, 'Service', 'EnvironmentFile')!;
    const unitEnv = parseEnvironmentFile(readFileSync(inRoot(envFile), 'utf8'));

    // What the operator edits: this box's addresses (here a single node on free loopback ports),
    // and the data paths moved into the temporary root. Everything else stays as shipped.
    const configPath = inRoot('/etc/orchestrator.conf.json');
    const config = JSON.parse(readFileSync(configPath, 'utf8')) as Record<string, unknown>;
    const [http, raft] = await freePorts(2);
    Object.assign(config, {
      ListenAddress: `127.0.0.1:${http}`,
      HTTPAdvertise: `http://127.0.0.1:${http}`,
      RaftBind: `127.0.0.1:${raft}`,
      RaftNodes: [`127.0.0.1:${raft}`],
      RaftDataDir: inRoot(String(config.RaftDataDir)),
      SQLite3DataFile: inRoot(String(config.SQLite3DataFile)),
      DiscoverySeeds: [],
    });
    writeFileSync(configPath, JSON.stringify(config, null, 2));

    // ExecStart= with its file arguments resolved in the root (the interpreter is the host's node).
    const [command, ...args] = unitValue(unit, 'Service', 'ExecStart')!.split(/\s+/);
    expect(command).toBe('/usr/bin/node');
    const rooted = args.map((arg) =>
      arg.replace(/^(--config=)?(\/.*)$/, (_, flag = '', path) => `${flag}${inRoot(path)}`),
    );
    const spec = (env: NodeJS.ProcessEnv) => ({
      command: 'setpriv',
      args: [`--reuid=${uid}`, `--regid=${gid}`, '--clear-groups', '--', command!, ...rooted],
      env: { PATH: process.env.PATH, ORCHESTRATOR_LOG_FORMAT: 'json', ...env },
      cwd: inRoot(unitValue(unit, 'Service', 'WorkingDirectory')!),
    });

    // Without the environment file the referenced secret is missing: the start stops and says which.
    const bare = new ProcessHandle('orchestrator-no-env', spec({})).start();
    expect(await bare.waitExit()).not.toBe(0);
    expect(bare.output()).toMatch(
      /MySQLTopologyPassword: environment variable ORCHESTRATOR_TOPOLOGY_PASSWORD .* is not set/,
    );

    daemon = new ProcessHandle('orchestrator', spec(unitEnv)).start();
    const health = await eventually(
      'the installed daemon to answer /api/health',
      async () => {
        if (!daemon!.running) return { exited: true };
        const r = await fetch(`http://127.0.0.1:${http}/api/health`);
        return r.status === 200 ? ((await r.json()) as { Code: string }) : undefined;
      },
      30_000,
    );
    expect(health, daemon.output()).not.toHaveProperty('exited');
    expect((health as { Code: string }).Code).toBe('OK');
    await eventually('the single node to lead', async () => {
      const r = await fetch(`http://127.0.0.1:${http}/api/leader-check`);
      return r.status === 200 ? true : undefined;
    });
    // HTTPAuthPassword of the shipped config guards the API (AuthenticationMethod multi).
    const auth = `Basic ${Buffer.from(`${config.HTTPAuthUser}:${config.HTTPAuthPassword}`).toString('base64')}`;
    expect((await fetch(`http://127.0.0.1:${http}/api/clusters`)).status).toBe(401);
    expect(
      (await fetch(`http://127.0.0.1:${http}/api/clusters`, { headers: { authorization: auth } })).status,
    ).toBe(200);
    // The web interface is served from the installed build.
    const web = await fetch(`http://127.0.0.1:${http}/web/`, { headers: { authorization: auth } });
    expect([web.status, web.headers.get('content-type')]).toEqual([
      200,
      expect.stringMatching(/^text\/html/),
    ]);

    // Modules the bundle loads lazily from the installed node_modules: prom-client (/metrics) and
    // mysql2 (a probe, here of a closed port).
    const metrics = await fetch(`http://127.0.0.1:${http}/metrics`, { headers: { authorization: auth } });
    expect([metrics.status, await metrics.text()]).toEqual([200, expect.stringContaining('# TYPE ')]);
    const [closed] = await freePorts(1);
    const probe = await fetch(`http://127.0.0.1:${http}/api/discover/127.0.0.1/${closed}`, {
      headers: { authorization: auth },
    });
    const refused = ((await probe.json()) as { Message: string }).Message;
    expect(refused).toMatch(/cannot connect to 127\.0\.0\.1/); // mysql2 loaded and tried; not "Cannot find module"
    expect(refused).not.toMatch(/Cannot find module/);

    // Its data is the user's, in the StateDirectory.
    for (const path of [String(config.RaftDataDir), String(config.SQLite3DataFile)]) {
      expect(path.startsWith(`${stateDir}/`)).toBe(true);
      expect(statSync(path).uid, path).toBe(uid);
    }
  });

  it('keeps the edited config and environment file when run again (an upgrade)', async () => {
    await daemon?.stop();
    const configPath = join(root, 'etc/orchestrator.conf.json');
    const envPath = join(root, 'etc/orchestrator/orchestrator.env');
    writeFileSync(envPath, 'ORCHESTRATOR_TOPOLOGY_PASSWORD=edited\n');
    const edited = readFileSync(configPath, 'utf8');
    expect(edited).not.toBe(readFileSync(join(repoRoot, 'deploy/orchestrator.conf.sqlite.json'), 'utf8'));
    execFileSync(join(repoRoot, 'scripts/install.sh'), ['sqlite'], {
      cwd: repoRoot,
      env: { ...process.env, DESTDIR: root },
      stdio: 'pipe',
    });
    expect(readFileSync(configPath, 'utf8')).toBe(edited);
    expect(readFileSync(envPath, 'utf8')).toBe('ORCHESTRATOR_TOPOLOGY_PASSWORD=edited\n');
    expect(statSync(join(root, 'opt/orchestrator/apps/orchestrator/dist/orchestrator.mjs')).isFile()).toBe(
      true,
    );
  }, 120_000);
});

describe('a new node whose MySQL backend has no GRANTs yet (the seed puppet scenario)', () => {
  let backend: MariaDBServer | undefined;
  let daemon: ProcessHandle | undefined;
  let dir: string;

  afterAll(async () => {
    await daemon?.stop();
    await backend?.destroy();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('exits at every start until deploy/grants.sql has run, then starts: what Restart=always retries', async () => {
    backend = await startMariaDB();
    dir = mkdtempSync(join(tmpdir(), 'orch-deploy-mysql-'));
    const [http, raft] = await freePorts(2);
    const config = JSON.parse(
      readFileSync(join(repoRoot, 'deploy/orchestrator.conf.mysql.json'), 'utf8'),
    ) as Record<string, unknown>;
    Object.assign(config, {
      ListenAddress: `127.0.0.1:${http}`,
      HTTPAdvertise: `http://127.0.0.1:${http}`,
      RaftBind: `127.0.0.1:${raft}`,
      RaftNodes: [`127.0.0.1:${raft}`],
      RaftDataDir: join(dir, 'raft'),
      MySQLOrchestratorHost: backend.host,
      MySQLOrchestratorPort: backend.port,
      DiscoverySeeds: [],
    });
    const configFile = join(dir, 'orchestrator.conf.json');
    writeFileSync(configFile, JSON.stringify(config, null, 2));
    const unitEnv = parseEnvironmentFile(
      readFileSync(join(repoRoot, 'deploy/orchestrator.env.example'), 'utf8'),
    );
    const spec = {
      command: process.execPath,
      args: [CLI, `--config=${configFile}`, 'http'],
      env: { PATH: process.env.PATH, ORCHESTRATOR_LOG_FORMAT: 'json', ...unitEnv },
    };

    // Two starts before the GRANTs: each one exits non-zero, saying the backend refused it, rather
    // than hanging half-started (systemd restarts an exited service, not a stuck one).
    for (let attempt = 1; attempt <= 2; attempt++) {
      const early = new ProcessHandle(`orchestrator start ${attempt}`, spec).start();
      const code = await Promise.race([
        early.waitExit(),
        new Promise<'running'>((done) => setTimeout(() => done('running'), 20_000)),
      ]);
      if (code === 'running') await early.kill9();
      expect(code, early.output()).not.toBe('running');
      expect(code).not.toBe(0);
      expect(early.output()).toMatch(/Access denied for user 'orchestrator_srv'/);
    }

    // The configuration management run: deploy/grants.sql as written.
    const admin = await backend.connect({ multipleStatements: true });
    await admin.query(readFileSync(join(repoRoot, 'deploy/grants.sql'), 'utf8'));
    await admin.end();

    daemon = new ProcessHandle('orchestrator after the GRANTs', spec).start();
    const answer = await eventually(
      'the daemon to lead once its backend accepts it',
      async () => {
        if (!daemon!.running) return 'exited';
        const r = await fetch(`http://127.0.0.1:${http}/api/leader-check`);
        return r.status === 200 ? 'leader' : undefined;
      },
      30_000,
    );
    expect(answer, daemon.output()).toBe('leader');
  });
});
