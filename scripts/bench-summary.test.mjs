// node --test scripts/bench-summary.test.mjs
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { collectSummaries, summaryTable, withSummary } from './bench-summary.mjs';

const line = (entry) => `<!-- bench-summary ${JSON.stringify(entry)} -->`;
const daemon = {
  id: 'a',
  what: 'leader-check ≥ 21.6k',
  ours: '40k (38k–41k)',
  reference: '21.6k',
  met: true,
  on: 'daemon',
};
const server = {
  id: 'b',
  what: 'clusters ≥ 2×',
  ours: '24k',
  reference: '5.8k',
  met: false,
  on: 'bench server',
};

test('collects every summary line in order, ignoring the markdown around them', () => {
  const text = `### x\n\n| a | b |\n${line(daemon)}\nsome text\n${line(server)}\n`;
  assert.deepEqual(collectSummaries(text), [daemon, server]);
});

test('a malformed summary line is an error naming what is wrong', () => {
  assert.throws(() => collectSummaries('<!-- bench-summary {oops} -->'), /not JSON/);
  assert.throws(() => collectSummaries(line({ ...daemon, met: 'yes' })), /"met"/);
  assert.throws(() => collectSummaries(line({ ...daemon, on: 'laptop' })), /"on" must be/);
  assert.throws(() => collectSummaries(line({ ...daemon, ours: undefined })), /"ours" missing/);
});

test('daemon rows keep their reference; other rows are labelled and not compared', () => {
  const table = summaryTable([daemon, server]);
  assert.match(table, /\| leader-check ≥ 21\.6k \| 40k \(38k–41k\) \| 21\.6k \| yes \|/);
  assert.match(
    table,
    /\| clusters ≥ 2× \(bench server, not the daemon\) \| 24k \| not comparable \(bench server\) \| \*\*no\*\* \|/,
  );
});

test('pipes inside a cell are escaped so the table keeps its columns', () => {
  assert.match(summaryTable([{ ...daemon, ours: 'a | b' }]), /a \\\| b/);
});

test('no entries gives a table section that says so', () => {
  assert.match(summaryTable([]), /No benchmark printed a summary line/);
});

test('withSummary replaces a hand-written summary with the generated one, before the sections', () => {
  const file = `# Benchmarks\n\nheader\n\n## Where we stand against x\n\n| hand | edited |\n\n## @orchestrator/api\n\n${line(server)}\n\n## Soak\n\nsoak\n`;
  const out = withSummary(file);
  assert.doesNotMatch(out, /hand \| edited/);
  assert.ok(out.indexOf('## Where we stand') < out.indexOf('## @orchestrator/api'));
  assert.ok(out.indexOf('# Benchmarks') < out.indexOf('## Where we stand'));
  assert.match(out, /## Soak\n\nsoak\n$/);
  assert.equal(withSummary(out), out);
});
