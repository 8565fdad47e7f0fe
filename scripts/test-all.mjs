#!/usr/bin/env node
// Runs every workspace's tests through turbo (build first), then sums the per-package vitest JSON
// reports into one closing line "N passed, N failed". Exits non-zero when anything failed, when a
// package's run crashed before writing its report, or when turbo itself failed.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const workspaces = ['packages', 'apps']
  .flatMap((dir) =>
    readdirSync(join(root, dir), { withFileTypes: true })
      .filter((e) => e.isDirectory())
      .map((e) => join(root, dir, e.name)),
  )
  .concat([join(root, 'test')])
  .filter((dir) => existsSync(join(dir, 'vitest.config.ts')));

for (const dir of workspaces) rmSync(join(dir, '.vitest-report.json'), { force: true });

const extra = process.argv.slice(2);
const turbo = spawnSync(
  'npx',
  ['turbo', 'run', 'test', '--concurrency=1', '--continue', '--output-logs=full', ...extra],
  { cwd: root, stdio: 'inherit' },
);

let passed = 0;
let failed = 0;
let skipped = 0;
const missing = [];
for (const dir of workspaces) {
  const file = join(dir, '.vitest-report.json');
  const name = dir.slice(root.length) || '.';
  if (!existsSync(file)) {
    missing.push(name);
    continue;
  }
  const report = JSON.parse(readFileSync(file, 'utf8'));
  passed += report.numPassedTests;
  failed += report.numFailedTests;
  skipped += report.numPendingTests + report.numTodoTests;
  // A suite that failed to load has no failed tests but counts as a failure.
  const brokenSuites = report.testResults.filter(
    (s) => s.status === 'failed' && s.assertionResults.length === 0,
  );
  for (const s of brokenSuites) console.error(`suite failed to run: ${s.name}: ${s.message}`);
  failed += brokenSuites.length;
}
const filtered = extra.some((a) => a.startsWith('--filter'));
// The repository's own scripts (the bench summary builder): node's test runner, TAP counts.
if (!filtered) {
  const files = readdirSync(join(root, 'scripts'))
    .filter((f) => f.endsWith('.test.mjs'))
    .map((f) => join('scripts', f));
  const scripts = spawnSync(process.execPath, ['--test', '--test-reporter=tap', ...files], {
    cwd: root,
    encoding: 'utf8',
  });
  process.stdout.write(scripts.stdout ?? '');
  const count = (name) => Number(new RegExp(`^# ${name} (\\d+)$`, 'm').exec(scripts.stdout ?? '')?.[1] ?? 0);
  passed += count('pass');
  failed += count('fail');
  if (scripts.status !== 0 && count('fail') === 0) failed += 1;
}
if (missing.length > 0 && !filtered) {
  console.error(`no test report from: ${missing.join(', ')} (the run crashed or never started)`);
  failed += missing.length;
}
if (turbo.status !== 0 && failed === 0) {
  console.error(`turbo exited with ${turbo.status} although no test failed (a build or type error?)`);
  failed += 1;
}
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(failed === 0 ? 0 : 1);
