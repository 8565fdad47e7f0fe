// Small statistics helpers for the benchmarks: medians with min/max, formatted for BENCHMARKS.md.
export function summarize(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  return { n: sorted.length, median, min: sorted[0], max: sorted[sorted.length - 1] };
}

export function ms(value) {
  return value >= 1000 ? `${(value / 1000).toFixed(2)} s` : `${Math.round(value)} ms`;
}

export function row(label, values, reference, target) {
  if (values.length === 0) return `| ${label} | – | – | – | 0 | ${reference} | ${target} |`;
  const s = summarize(values);
  return `| ${label} | ${ms(s.median)} | ${ms(s.min)} | ${ms(s.max)} | ${s.n} | ${reference} | ${target} |`;
}

export const HEADER =
  '| what | median | min | max | runs | reference | target |\n|---|---|---|---|---|---|---|';

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export async function until(probe, timeoutMs, stepMs = 10) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe().catch(() => undefined);
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error('timed out');
    await sleep(stepMs);
  }
}
