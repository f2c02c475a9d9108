// Preload for the benchmarks' processes: how long each SQL statement takes, printed at exit, slowest
// total first (npx tsx --import ./bench/stmt-time.ts bench/book-loop.ts). Measures through the
// JavaScript call, so it includes better-sqlite3's binding; statements prepared before it loads are missed.
import Database from 'better-sqlite3';
const proto = Database.prototype as unknown as { prepare: (this: unknown, sql: string, ...rest: unknown[]) => Record<string, (...a: unknown[]) => unknown> };
const times = new Map<string, { n: number; t: number }>();
const origPrepare = proto.prepare;
proto.prepare = function (sql: string, ...rest: unknown[]) {
  const st = origPrepare.call(this, sql, ...rest);
  for (const m of ['get', 'all', 'run']) {
    const f = st[m]!.bind(st);
    st[m] = (...a: unknown[]) => {
      const t = performance.now();
      try {
        return f(...a);
      } finally {
        const e = times.get(sql) ?? { n: 0, t: 0 };
        e.n++;
        e.t += performance.now() - t;
        times.set(sql, e);
      }
    };
  }
  return st;
};
process.on('exit', () => {
  const rows = [...times].sort((a, b) => b[1].t - a[1].t).slice(0, Number(process.env.STMT_TOP ?? 25));
  for (const [sql, e] of rows) console.log(`${((e.t / e.n) * 1000).toFixed(1).padStart(7)} µs × ${String(e.n).padStart(6)}  ${sql.replace(/\s+/g, ' ').slice(0, 160)}`);
});
