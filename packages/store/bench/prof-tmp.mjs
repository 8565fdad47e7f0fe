import { emptyInstance, openStore } from '../dist/index.js';

const xs = Array.from({ length: 10000 }, (_, n) => {
  const i = emptyInstance({ Hostname: 'h' + n, Port: 3306 });
  i.ServerUUID = 'u' + n;
  return i;
});
const s = await openStore({ BackendDB: 'sqlite', SQLite3DataFile: `/tmp/orc-prof-a.db` });
await s.instances.upsert(xs);
const snap = await s.snapshot();
for (let k = 0; k < 3; k++) {
  const t = await openStore({ BackendDB: 'sqlite', SQLite3DataFile: `/tmp/orc-prof-b${k}.db` });
  let last = performance.now(),
    max = 0,
    at = 0;
  const timer = setInterval(() => {
    const n = performance.now();
    if (n - last > max) {
      max = n - last;
      at = n - t0;
    }
    last = n;
  }, 1);
  const t0 = performance.now();
  const c = process.cpuUsage();
  await t.restore(snap);
  clearInterval(timer);
  const u = process.cpuUsage(c);
  console.log(
    'restore wall',
    (performance.now() - t0).toFixed(0),
    'cpu',
    ((u.user + u.system) / 1000).toFixed(0),
    'maxgap',
    max.toFixed(0),
    'at',
    at.toFixed(0),
  );
  await t.close();
}
