// Child of wal-sync.test.ts, run under strace: two waves of six new callers book on the given
// file, the second while the first wave's commit is still on its way to the disk. Each confirmed
// booking is printed (`A <id>` / `B <id>`) the moment it resolves, as a caller would hear it.
import { writeSync } from 'node:fs';
import { loadConfig } from '../../src/config/index.js';
import { openDatabase } from '../../src/db/client.js';
import { bookByPhone, createSyncContext, freeSlots, observeGroupCommits, tempCredentials } from '../../src/sync/index.js';

const path = process.argv[2]!;
const db = openDatabase(path);
const ctx = createSyncContext(db, loadConfig({ NODE_ENV: 'test', MEDQ_DB: path, LOG_LEVEL: 'silent' }), () => new Date('2026-11-30T08:00:00+05:30'));
const slots = freeSlots(ctx, 2, '2026-11-30')!.slice(0, 12);
await tempCredentials.prime(); // every caller's temporary password ready: each wave is one group

const book = (wave: string, i: number) =>
  bookByPhone(ctx, { phone: `+9198771${String(i).padStart(5, '0')}`, doctorId: 2, date: '2026-11-30', time: slots[i]!.time }).then((r) => {
    if (!r.ok) throw new Error(r.code);
    writeSync(1, `${wave} ${r.value.appointmentId}\n`);
  });

const groups: number[] = [];
let waveB: Promise<unknown> = Promise.resolve();
observeGroupCommits((n) => {
  groups.push(n);
  // Called as wave A's group commits: wave B asks right after, while A's sync is under way.
  if (groups.length === 1) waveB = new Promise((resolve) => setImmediate(() => resolve(Promise.all([6, 7, 8, 9, 10, 11].map((i) => book('B', i))))));
});
writeSync(2, `bookings start ${process.pid}\n`);
await Promise.all([0, 1, 2, 3, 4, 5].map((i) => book('A', i)));
await waveB;
writeSync(2, `groups ${groups.join(',')}\n`);
db.$client.close();
process.exit(0);
