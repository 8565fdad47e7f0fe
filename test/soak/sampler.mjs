// Loaded into each daemon by the soak run (NODE_OPTIONS=--import=…): every SOAK_SAMPLE_MS it
// appends one JSON line to $SOAK_SAMPLES_DIR/<pid>.jsonl with the V8 heap and the event-loop delay
// since the previous sample. RSS and open files are read from /proc by the soak run itself.
import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';

const dir = process.env.SOAK_SAMPLES_DIR;
if (dir) {
  const file = join(dir, `${process.pid}.jsonl`);
  const delay = monitorEventLoopDelay({ resolution: 10 });
  delay.enable();
  const timer = setInterval(
    () => {
      const m = process.memoryUsage();
      const sample = {
        t: Date.now(),
        heapUsed: m.heapUsed,
        heapTotal: m.heapTotal,
        external: m.external,
        lagP99Ms: delay.percentile(99) / 1e6,
        lagMaxMs: delay.max / 1e6,
      };
      delay.reset();
      try {
        appendFileSync(file, `${JSON.stringify(sample)}\n`);
      } catch {
        // the soak run removed the directory: nothing left to report to
      }
    },
    Number(process.env.SOAK_SAMPLE_MS ?? 5000),
  );
  timer.unref();
}
