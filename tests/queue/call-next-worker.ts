// One api process of the queue concurrency test: presses "call next" on a shared database file.
import { loadConfig } from '../../src/config/index.js';
import { openDatabase } from '../../src/db/client.js';
import { callNext, createSyncContext } from '../../src/sync/index.js';

const [dbPath, nowIso, presses, startAt] = process.argv.slice(2) as [string, string, string, string];
const db = openDatabase(dbPath);
const ctx = createSyncContext(db, loadConfig({ NODE_ENV: 'test', MEDQ_DB: dbPath, LOG_LEVEL: 'silent' }), () => new Date(nowIso));
// Every worker starts at the same instant, so the presses really collide.
while (Date.now() < Number(startAt)) await new Promise((r) => setTimeout(r, 1));
const moves: string[] = [];
for (let i = 0; i < Number(presses); i++) {
  const r = callNext(ctx, 1);
  moves.push(r.ok ? r.value.nowServing : r.code);
}
db.$client.close();
process.stdout.write(JSON.stringify(moves));
