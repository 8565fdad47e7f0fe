#!/usr/bin/env node
// Runs every workspace's `bench` script (one at a time: the machine has 2 cores) and writes
// BENCHMARKS.md: the machine, then each package's command and the markdown its benchmark printed
// (medians, min/max, and the reference figure beside ours), with the summary table at the top built
// from the `<!-- bench-summary … -->` lines the benchmarks print (bench-summary.mjs). Benchmarks are not tests.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { withSummary } from './bench-summary.mjs';

const root = new URL('..', import.meta.url).pathname;
const only = process.argv.slice(2);
const packages = ['packages', 'apps']
  .flatMap((dir) => readdirSync(join(root, dir)).map((name) => join(dir, name)))
  .concat(['test'])
  .filter((dir) => existsSync(join(root, dir, 'package.json')))
  .map((dir) => ({ dir, pkg: JSON.parse(readFileSync(join(root, dir, 'package.json'), 'utf8')) }))
  .filter(({ pkg }) => pkg.scripts?.bench)
  .filter(({ pkg }) => only.length === 0 || only.includes(pkg.name));

const sections = [];
for (const { dir, pkg } of packages) {
  const command = `npm run bench -w ${pkg.name}`;
  console.error(`\n== ${command}`);
  const started = Date.now();
  const run = spawnSync('npm', ['run', '--silent', 'bench', '-w', pkg.name], {
    cwd: root,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 64 * 1024 * 1024,
  });
  process.stderr.write(run.stdout ?? '');
  const seconds = ((Date.now() - started) / 1000).toFixed(0);
  const body =
    run.status === 0
      ? run.stdout.trim()
      : `**failed** (exit ${run.status}):\n\n\`\`\`\n${(run.stdout ?? '').slice(-2000)}\n\`\`\``;
  sections.push(`## ${pkg.name}\n\nCommand: \`${command}\` (${dir}, took ${seconds} s)\n\n${body}\n`);
}

const cpu = cpus()[0]?.model ?? 'unknown CPU';
const header = `# Benchmarks

Written by \`npm run bench\` on ${new Date().toISOString()}.
Machine: ${cpus().length} × ${cpu}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB RAM, Node ${process.version}, everything on 127.0.0.1.
Reference figures are orchestrator 3.2.6 (Go, raft, SQLite) on a machine of the same kind (\`shared/spec/targets.md\`).
Machines here are noisy: figures are medians of repeated runs with min/max.
`;
const file = join(root, 'BENCHMARKS.md');
if (only.length > 0 && existsSync(file)) {
  // Partial run: replace only the sections of the packages that ran.
  let text = readFileSync(file, 'utf8');
  for (const section of sections) {
    const name = section.split('\n')[0];
    const start = text.indexOf(name);
    if (start === -1) text += `\n${section}`;
    else {
      const next = text.indexOf('\n## ', start + name.length);
      text = `${text.slice(0, start)}${section}\n${next === -1 ? '' : text.slice(next + 1)}`;
    }
  }
  writeFileSync(file, withSummary(text));
} else {
  // `npm run soak` writes its own "## Soak" section (test/soak/soak.mjs): a full run keeps it.
  const previous = existsSync(file) ? readFileSync(file, 'utf8') : '';
  const soakAt = previous.indexOf('\n## Soak\n');
  const soakEnd = soakAt === -1 ? -1 : previous.indexOf('\n## ', soakAt + 1);
  const soak =
    soakAt === -1 ? [] : [`${previous.slice(soakAt + 1, soakEnd === -1 ? undefined : soakEnd).trimEnd()}\n`];
  writeFileSync(file, withSummary([header, ...sections, ...soak].join('\n')));
}
// Keep the file in the repository's format (Biome checks Markdown too).
spawnSync('npx', ['biome', 'check', '--write', file], { cwd: root, stdio: 'ignore' });
console.error(`\nwrote ${file}`);
