// WAL checkpoints on a thread of their own (src/db/checkpoint.ts), on a real SQLite file: the
// process's commits leave checkpointing to the thread, the WAL still starts again from its
// beginning (so it stays small), and without the thread SQLite's own checkpoints come back. The
// thread looks when the process's commits nudge it, and by itself only now and then.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { CHECKPOINT_FRAMES, FALLBACK_CHECKPOINT_FRAMES, noteCommit, pendingWalFramesAt, startCheckpointer, type CheckpointStats } from '../../src/db/checkpoint.js';
import { openDatabase, type Db } from '../../src/db/client.js';
import { groupedWrite, writeTx } from '../../src/sync/index.js';

const dirs: string[] = [];
const dbs: Db[] = [];
afterEach(() => {
  for (const db of dbs.splice(0)) if (db.$client.open) db.$client.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function freshFile(): { db: Db; path: string; dir: string } {
  const dir = mkdtempSync(join(tmpdir(), 'medq-ckpt-'));
  dirs.push(dir);
  const path = join(dir, 'w.sqlite');
  const db = openDatabase(path);
  dbs.push(db);
  db.$client.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, body TEXT NOT NULL)');
  return { db, path, dir };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const autocheckpoint = (db: Db) => db.$client.pragma('wal_autocheckpoint', { simple: true });

/** Commits as calls make them: bursts of one-row commits (each at least one WAL frame) with pauses. */
async function commitInBursts(db: Db, bursts: number, perBurst: number, watch: () => void, nudge = true): Promise<void> {
  const insert = db.$client.prepare('INSERT INTO t (body) VALUES (?)');
  for (let b = 0; b < bursts; b++) {
    for (let i = 0; i < perBurst; i++) {
      insert.run('x'.repeat(200));
      if (nudge) noteCommit(db.$client); // as src/sync's writeTx does after each commit
    }
    watch();
    await sleep(3);
  }
}

describe('WAL checkpoints on their own thread', () => {
  it('copies the WAL every ~1,000 frames while the commits do not, and the WAL starts again each time', async () => {
    const { db, path } = freshFile();
    const seen: CheckpointStats[] = [];
    // Nudged only: it would look by itself once a minute, long after this test.
    const checkpointer = startCheckpointer(db, { lookMs: 60_000, onCheckpoint: (s) => seen.push(s) });
    expect(checkpointer.started).toBe(true);
    // The process's own connection only checkpoints far past the thread's point.
    expect(autocheckpoint(db)).toBe(FALLBACK_CHECKPOINT_FRAMES);
    let mostWaiting = 0;
    // 6,000 commits: without the thread's checkpoints the connection's own would start at 4,000 frames.
    await commitInBursts(db, 120, 50, () => (mostWaiting = Math.max(mostWaiting, pendingWalFramesAt(path))));
    await sleep(50);
    await checkpointer.stop();

    expect(seen.length).toBeGreaterThanOrEqual(4);
    for (const s of seen) {
      expect(s.waiting).toBeGreaterThanOrEqual(CHECKPOINT_FRAMES);
      // (A commit made during a copy may be left for the next pass: copied can trail log by it.)
      expect(s.copied).toBeGreaterThan(s.log - 100);
      // Each began on a WAL that had started again (the last one had caught up with the writers).
      expect(s.log).toBeLessThan(CHECKPOINT_FRAMES + 600);
    }
    expect(mostWaiting).toBeLessThan(CHECKPOINT_FRAMES + 600);
    // About one checkpoint's worth of frames in the file (4 KiB pages): a WAL that never started
    // again would have reached the connection's own point (4,000 frames, ~16 MiB).
    expect(statSync(`${path}-wal`).size).toBeLessThan(8 * 1024 * 1024);
    expect((db.$client.prepare('SELECT count(*) n FROM t').get() as { n: number }).n).toBe(6000);
  });

  it('stop() ends the thread and gives the connection SQLite\'s own checkpoints back', async () => {
    const { db, path } = freshFile();
    const seen: CheckpointStats[] = [];
    const checkpointer = startCheckpointer(db, { lookMs: 5, onCheckpoint: (s) => seen.push(s) });
    await checkpointer.stop();
    expect(autocheckpoint(db)).toBe(CHECKPOINT_FRAMES);
    await commitInBursts(db, 40, 50, () => {});
    await sleep(50);
    expect(seen).toEqual([]);
    // SQLite's own inline checkpoint (at 1,000 frames) kept the WAL as short.
    expect(pendingWalFramesAt(path)).toBeLessThan(CHECKPOINT_FRAMES);
  });

  it('the sync module\'s commits nudge it: writes one by one, and group commits by their writes', async () => {
    const { db, path } = freshFile();
    const ctx = { db };
    const seen: CheckpointStats[] = [];
    const checkpointer = startCheckpointer(db, { lookMs: 60_000, onCheckpoint: (s) => seen.push(s) });
    const insert = db.$client.prepare('INSERT INTO t (body) VALUES (?)');
    const waitForCheckpoint = async (n: number) => {
      for (let i = 0; i < 100 && seen.length < n; i++) await sleep(20);
    };
    for (let i = 0; i < CHECKPOINT_FRAMES + 100; i++) writeTx(ctx, () => insert.run('x'.repeat(200)));
    await waitForCheckpoint(1);
    expect(seen).toHaveLength(1);
    await sleep(50);
    // Fourteen group commits of 64 writes of a long row each: ~1,400 frames in fourteen commits.
    for (let g = 0; g < 14; g++) {
      await Promise.all(Array.from({ length: 64 }, () => groupedWrite(ctx, () => writeTx(ctx, () => insert.run('y'.repeat(6000))))));
    }
    await waitForCheckpoint(2);
    await checkpointer.stop();
    expect(seen.length).toBeGreaterThanOrEqual(2);
    expect(pendingWalFramesAt(path)).toBeLessThan(CHECKPOINT_FRAMES);
  });

  it('looks by itself every lookMs for commits that do not nudge it (another process\'s)', async () => {
    const { db, path } = freshFile();
    const seen: CheckpointStats[] = [];
    const checkpointer = startCheckpointer(db, { lookMs: 200, onCheckpoint: (s) => seen.push(s) });
    await commitInBursts(db, 1, CHECKPOINT_FRAMES + 200, () => {}, false);
    for (let i = 0; i < 100 && seen.length === 0; i++) await sleep(20);
    await checkpointer.stop();
    expect(seen.length).toBeGreaterThanOrEqual(1);
    expect(seen[0]!.waiting).toBeGreaterThanOrEqual(CHECKPOINT_FRAMES);
    expect(pendingWalFramesAt(path)).toBeLessThan(CHECKPOINT_FRAMES);
  });

  it('stops at once while asleep, however long its look interval', async () => {
    const { db } = freshFile();
    const checkpointer = startCheckpointer(db, { lookMs: 60_000 });
    await sleep(50); // asleep in its wait
    const started = performance.now();
    await checkpointer.stop();
    expect(performance.now() - started).toBeLessThan(1000);
    expect(autocheckpoint(db)).toBe(CHECKPOINT_FRAMES);
  });

  it('stop() keeps the process alive until the thread has ended, so the code after it runs', () => {
    const child = spawnSync(process.execPath, ['--import', 'tsx', fileURLToPath(new URL('./checkpoint-stop-once.ts', import.meta.url))], { encoding: 'utf8', timeout: 30_000 });
    expect(child.signal).toBeNull();
    expect(child.stdout.trim()).toBe('stopped');
    expect(child.status).toBe(0);
  });

  it('a thread that cannot run is reported and the commits checkpoint by themselves again', async () => {
    const { db, dir } = freshFile();
    // The thread opens the file by its path: gone, it fails at once (the process's connection still has it open).
    rmSync(dir, { recursive: true, force: true });
    const errors: Error[] = [];
    const checkpointer = startCheckpointer(db, { onError: (e) => errors.push(e) });
    for (let i = 0; i < 100 && errors.length === 0; i++) await sleep(20);
    expect(errors).toHaveLength(1);
    expect(autocheckpoint(db)).toBe(CHECKPOINT_FRAMES);
    await checkpointer.stop(); // nothing left to stop
  });

  it('an in-memory database has no WAL: nothing to start', async () => {
    const db = openDatabase(':memory:');
    dbs.push(db);
    const before = autocheckpoint(db);
    const checkpointer = startCheckpointer(db);
    expect(checkpointer.started).toBe(false);
    expect(autocheckpoint(db)).toBe(before);
    await checkpointer.stop();
  });
});
