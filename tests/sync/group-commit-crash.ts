// Child of group-commit.test.ts: twelve callers book at once on the given file; each confirmed
// appointment id is printed the moment its booking resolves, and the process then kills itself
// with SIGKILL (no clean close, no checkpoint): what it printed must be in the file.
import { writeSync } from 'node:fs';
import { loadConfig } from '../../src/config/index.js';
import { openDatabase } from '../../src/db/client.js';
import { bookByPhone, createSyncContext, freeSlots } from '../../src/sync/index.js';

const path = process.argv[2]!;
const db = openDatabase(path);
const ctx = createSyncContext(db, loadConfig({ NODE_ENV: 'test', MEDQ_DB: path, LOG_LEVEL: 'silent' }), () => new Date('2026-11-30T08:00:00+05:30'));
const slots = freeSlots(ctx, 2, '2026-11-30')!.slice(0, 12);
let left = slots.length;
for (const [i, s] of slots.entries()) {
  void bookByPhone(ctx, { phone: `+9198770${String(i).padStart(5, '0')}`, doctorId: 2, date: '2026-11-30', time: s.time }).then((r) => {
    if (!r.ok) throw new Error(r.code);
    writeSync(1, `${r.value.appointmentId}\n`);
    if (--left === 0) process.kill(process.pid, 'SIGKILL');
  });
}
