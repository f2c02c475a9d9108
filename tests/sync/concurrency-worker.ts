// One OS process of the concurrency test: books, registers and links on a shared database file.
import { loadConfig } from '../../src/config/index.js';
import { openDatabase } from '../../src/db/client.js';
import {
  bookByPhone,
  createSyncContext,
  linkPhone,
  registerAccount,
  offerNextSlot,
} from '../../src/sync/index.js';

const [dbPath, workerId, nowIso, phoneCount] = process.argv.slice(2) as [string, string, string, string];
const db = openDatabase(dbPath);
const ctx = createSyncContext(db, loadConfig({ NODE_ENV: 'test', MEDQ_DB: dbPath, LOG_LEVEL: 'silent', MAX_ACTIVE_APPOINTMENTS: '50' }), () => new Date(nowIso));
const phones = Array.from({ length: Number(phoneCount) }, (_, i) => `+9198000${String(i).padStart(5, '0')}`);

// Seeded PRNG so each worker takes a different but repeatable path.
let seed = Number(workerId) * 7919 + 1;
const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);

const booked: number[] = [];
const outcomes: Record<string, number> = {};
const count = (k: string) => (outcomes[k] = (outcomes[k] ?? 0) + 1);

for (let round = 0; round < phones.length * 3; round++) {
  const phone = phones[Math.floor(rand() * phones.length)]!;
  const action = rand();
  if (action < 0.45) {
    // A caller: offered the next slot of a doctor (holds in play), then confirms it.
    const doctorId = 1 + Math.floor(rand() * 3);
    const holder = `w${workerId}-${round}`;
    const offer = offerNextSlot(ctx, doctorId, holder);
    if (!offer.ok) {
      count(`offer:${offer.code}`);
      continue;
    }
    const r = await bookByPhone(ctx, { phone, doctorId, date: offer.value.date, time: offer.value.time, holder });
    if (r.ok) booked.push(r.value.appointmentId);
    count(r.ok ? 'ivr:booked' : `ivr:${r.code}`);
  } else if (action < 0.6) {
    // A direct race for the same few slots, with no hold.
    const r = await bookByPhone(ctx, { phone, doctorId: 3, date: '2026-11-30', time: rand() < 0.5 ? '11:00' : '11:30' });
    if (r.ok) booked.push(r.value.appointmentId);
    count(r.ok ? 'race:booked' : `race:${r.code}`);
  } else if (action < 0.8) {
    const r = registerAccount(ctx, { phone, name: `Web ${workerId}`, age: 30, username: `u${workerId}-${round}`, passwordHash: 'x' });
    count(r.ok ? 'register:ok' : `register:${r.code}`);
  } else {
    const r = linkPhone(ctx, { phone, name: `Linked ${workerId}`, age: 40, username: `l${workerId}-${round}`, passwordHash: 'x' });
    count(r.ok ? 'link:ok' : `link:${r.code}`);
  }
}
db.$client.close();
process.stdout.write(JSON.stringify({ workerId, booked, outcomes }) + '\n');
