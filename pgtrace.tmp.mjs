import pg from 'pg';
const orig = pg.Client.prototype.query;
const qt = new Map();
pg.Client.prototype.query = function (config, values, cb) {
  const text = typeof config === 'string' ? config : config?.text;
  const k = String(text).replace(/\s+/g, ' ').slice(0, 50);
  const t = performance.now();
  const r = orig.call(this, config, values, cb);
  if (r && typeof r.then === 'function') r.then(() => { const v = qt.get(k) ?? [0, 0]; v[0]++; v[1] += performance.now() - t; qt.set(k, v); }, () => {});
  return r;
};
process.on('exit', () => { for (const [k, v] of [...qt.entries()].sort((a, b) => b[1][1] - a[1][1]).slice(0, 12)) console.log(`Q ${v[0]} ${(v[1] / v[0]).toFixed(2)}ms ${k}`); });
