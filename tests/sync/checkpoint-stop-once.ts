// Child of wal-checkpoint.test.ts: starts the checkpoint thread on a fresh file, commits, stops it
// and prints "stopped" after stop(); nothing else keeps the process alive while stop() waits.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { noteCommit, startCheckpointer } from '../../src/db/checkpoint.js';
import { openDatabase } from '../../src/db/client.js';

const dir = mkdtempSync(join(tmpdir(), 'medq-ckpt-stop-'));
const db = openDatabase(join(dir, 'w.sqlite'));
db.$client.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, body TEXT NOT NULL)');
const checkpointer = startCheckpointer(db);
const insert = db.$client.prepare('INSERT INTO t (body) VALUES (?)');
for (let i = 0; i < 500; i++) {
  insert.run('x'.repeat(200));
  noteCommit(db.$client);
}
await checkpointer.stop();
db.$client.close();
rmSync(dir, { recursive: true, force: true });
console.log('stopped');
