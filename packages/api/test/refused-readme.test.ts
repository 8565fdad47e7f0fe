// The README's table of refused reference routes stays in step with the routes the API refuses.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { refusedRoutes } from '../src/routes/refused.js';

const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');
const table = readme.slice(readme.indexOf('## Reference routes that are refused'));

describe('README: reference routes that are refused', () => {
  it('lists every refused path', () => {
    expect(readme).toContain('## Reference routes that are refused');
    const missing = refusedRoutes.flatMap((r) => r.paths).filter((p) => !table.includes(`\`${p}\``));
    expect(missing).toEqual([]);
  });
});
