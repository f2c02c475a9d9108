// A MedQ writer in an OS process of its own, for tests/ops/backup-under-load.test.ts: it books
// continuously (offer, then book, as a caller does) on the SQLite file given, until killed.
// argv: <sqlite path>. stdout: "READY" once, then "BOOKED <appointment id>" after each commit.
import { loadConfig } from '../../src/config/index.js';
import { openDatabase } from '../../src/db/client.js';
import { bookByPhone, createSyncContext, offerNextSlot } from '../../src/sync/index.js';

const [dbPath] = process.argv.slice(2);
if (!dbPath) throw new Error('usage: booking-stream.ts <db>');
const db = openDatabase(dbPath);
const ctx = createSyncContext(db, loadConfig({ NODE_ENV: 'test', MEDQ_DB: dbPath, LOG_LEVEL: 'silent' }));

process.stdout.write('READY\n');
for (let n = 0; ; n++) {
  const doctorId = 1 + (n % 3);
  const holder = `stream-${process.pid}-${n}`;
  const offer = offerNextSlot(ctx, doctorId, holder);
  if (!offer.ok) continue;
  const phone = `+9190${String(10_000_000 + n).slice(-8)}`;
  const r = await bookByPhone(ctx, { phone, doctorId, date: offer.value.date, time: offer.value.time, holder, channel: 'ivr' });
  if (r.ok) process.stdout.write(`BOOKED ${r.value.appointmentId}\n`);
  // The offer was the slot starting now, and its start passed before the booking: a caller would
  // be offered the next one. Seen on 4 Dec 03:58 UTC (09:28 in Kolkata, the demo slots' boundary).
  else if (r.code === 'slot_in_past') continue;
  else process.stderr.write(`booking failed: ${r.code}\n`);
}
