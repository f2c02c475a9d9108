// Which pages a booking writes (issue 10): every page a commit changes is one WAL frame, written
// and, at synchronous=FULL, synced. Books BENCH_WAL_BOOKINGS (300) returning callers with the WAL
// kept whole, then names each frame's b-tree (table or index) from SQLite's dbstat table.
// BENCH_WAL_GROUP=16 books them 16 at a time, as callers at once do, sharing group commits.
//   npx tsx bench/wal-pages.ts
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bookByPhone } from '../src/sync/index.js';
import { benchBooking, createBenchClinicFile } from './lib/bench-clinic.js';
const dir = mkdtempSync(join(tmpdir(), 'medq-wal-'));
const p = join(dir, 'b.sqlite');
const { db, ctx } = createBenchClinicFile(p, { MAX_ACTIVE_APPOINTMENTS: '100' });
const c = db.$client;
c.pragma('synchronous = OFF');
let k = 0;
const G = Number(process.env.BENCH_WAL_GROUP ?? 1);
const book = () => Promise.all(Array.from({ length: G }, () => bookByPhone(ctx, benchBooking(k++))));
for (let i = 0; i < 3000 / G; i++) await book();
c.pragma('wal_autocheckpoint = 0');
c.pragma('wal_checkpoint(TRUNCATE)');
const N = Number(process.env.BENCH_WAL_BOOKINGS ?? 300);
for (let i = 0; i < N / G; i++) await book();
const wal = readFileSync(p + '-wal');
const pageSize = wal.readUInt32BE(8);
const counts = new Map<number, number>();
for (let off = 32; off + 24 <= wal.length; off += 24 + pageSize) { const pg = wal.readUInt32BE(off); counts.set(pg, (counts.get(pg) ?? 0) + 1); }
const names = new Map<number, string>();
for (const r of c.prepare('select name, pageno from dbstat').all() as Array<{ name: string; pageno: number }>) names.set(r.pageno, r.name);
const byName = new Map<string, number>();
for (const [pg, n] of counts) { const nm = names.get(pg) ?? (pg === 1 ? 'page 1 (header)' : `free/new ${pg}`); byName.set(nm, (byName.get(nm) ?? 0) + n); }
let total = 0; for (const n of counts.values()) total += n;
console.log(`${(total / N).toFixed(2)} frames per booking${G > 1 ? ` (${((total * G) / N).toFixed(1)} per group of ${G})` : ''}`);
for (const [nm, n] of [...byName].sort((a, b) => b[1] - a[1])) console.log(`${((n * G) / N).toFixed(2)}  ${nm}`);
