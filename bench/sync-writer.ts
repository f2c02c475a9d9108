// One writer process of the commit benchmark (bench/sync.ts): opens the shared SQLite file with the
// production settings (WAL, synchronous=FULL, busy timeout) and commits for `durationMs`, then
// prints {commits, failures, codes}. Modes:
//   book  real phone bookings through the sync module (bookByPhone of returning callers: read,
//         BEGIN IMMEDIATE, find the account and patient, re-check and book the slot, queue the SMS)
//   bare  one-row INSERT commits through better-sqlite3, same file, same settings
//   book with `callers` > 1: that many callers booking at once in this one process (as on an IVR
//         node with many calls), so bookings asked for together share a commit (src/sync/group-commit.ts)
//   rows  the floor under `book`: the very rows bookings wrote (each appointment and its SMS rows,
//         read beforehand from `rowsFrom`, a file the sync module booked), inserted by plain SQL, one
//         transaction per booking: no reads, no checks, no app
// Booking k = iteration × writers + writer (unique across writers) is benchBooking(k).
import Database from 'better-sqlite3';
import { loadConfig } from '../src/config/index.js';
import { openDatabase } from '../src/db/client.js';
import { bookByPhone, createSyncContext } from '../src/sync/index.js';
import { FLOOR_ROWS_PER_SECOND_AT_MOST, benchBooking } from './lib/bench-clinic.js';
import { startCheckpointThreadIfAny } from './lib/checkpoint-thread.js';

const [path, mode, writerArg, writersArg, durationArg, startArg, callersArg, rowsFrom] = process.argv.slice(2);
const callers = Number(callersArg ?? 1);
// A later round on the same file continues where the last one stopped (no seat asked twice).
const start = Number(startArg ?? 0);
const writer = Number(writerArg);
const writers = Number(writersArg);
const durationMs = Number(durationArg);
const db = openDatabase(path!);
// A MedQ process checkpoints the WAL on a thread of its own (src/main.ts); the bare writer keeps SQLite's inline checkpoints.
const checkpointer = mode !== 'bare' ? await startCheckpointThreadIfAny(db) : null;
const now = new Date('2026-11-30T08:00:00+05:30');
const ctx = createSyncContext(db, loadConfig({ NODE_ENV: 'test', MEDQ_DB: path!, MAX_ACTIVE_APPOINTMENTS: '100', LOG_LEVEL: 'silent' }), () => now);

const bookingRows = mode === 'rows' ? readBookingRows(rowsFrom!, start, Math.ceil((durationMs / 1000) * FLOOR_ROWS_PER_SECOND_AT_MOST)) : [];

// Start together: wait for "go" on stdin.
await new Promise<void>((resolve) => process.stdin.once('data', () => resolve()));
let commits = 0;
let failures = 0;
const codes: Record<string, number> = {};
const until = performance.now() + durationMs;
if (mode === 'bare') {
  const insert = db.$client.prepare('INSERT INTO bench_bare (writer, n) VALUES (?, ?)');
  while (performance.now() < until) {
    try {
      insert.run(writer, commits); // autocommit: one transaction per row
      commits++;
    } catch (e) {
      // Four processes hammering one file: a writer starved past busy_timeout tries again (counted).
      if ((e as { code?: string }).code !== 'SQLITE_BUSY') throw e;
      failures++;
      codes['SQLITE_BUSY'] = (codes['SQLITE_BUSY'] ?? 0) + 1;
    }
  }
} else if (mode === 'rows') {
  const c = db.$client;
  const insert = (table: string, row: Record<string, unknown>) => c.prepare(`INSERT INTO ${table} (${Object.keys(row).join(', ')}) VALUES (${Object.keys(row).map(() => '?').join(', ')})`);
  const first = bookingRows[0]!;
  const insertAppointment = insert('appointments', first.appointment);
  const insertOutbox = insert('sms_outbox', first.outbox[0]!);
  const book = c.transaction((b: BookingRows) => {
    insertAppointment.run(Object.values(b.appointment));
    for (const o of b.outbox) insertOutbox.run(Object.values(o));
  });
  for (const b of bookingRows) {
    if (performance.now() >= until) break;
    book.immediate(b);
    commits++;
  }
  if (commits === bookingRows.length) throw new Error(`the rows writer ran out of rows (${commits}) before its time`);
} else {
  let i = start;
  const caller = async () => {
    while (performance.now() < until) {
      const r = await bookByPhone(ctx, benchBooking(i++ * writers + writer));
      if (r.ok) commits++;
      else {
        failures++;
        codes[r.code] = (codes[r.code] ?? 0) + 1;
      }
    }
  };
  await Promise.all(Array.from({ length: callers }, caller));
}
console.log(JSON.stringify({ commits, failures, codes, next: start + commits + failures }));
await checkpointer?.stop();
db.$client.close();
process.exit(0);

interface BookingRows {
  appointment: Record<string, unknown>;
  outbox: Array<Record<string, unknown>>;
}

/** `count` bookings from the `from`-th (in id order) of a file the sync module booked, each with its SMS rows, in memory. */
function readBookingRows(file: string, from: number, count: number): BookingRows[] {
  const src = new Database(file, { readonly: true });
  const appointments = src.prepare('SELECT * FROM appointments ORDER BY id LIMIT ? OFFSET ?').all(count, from) as Array<Record<string, unknown>>;
  const outboxOf = src.prepare('SELECT * FROM sms_outbox WHERE appointment_id = ? ORDER BY id');
  const rows = appointments.map((appointment) => ({ appointment, outbox: outboxOf.all(appointment['id']) as Array<Record<string, unknown>> }));
  src.close();
  if (rows.length < count) throw new Error(`${file} holds ${from + rows.length} bookings; the rows writer needs ${from + count}`);
  return rows;
}
