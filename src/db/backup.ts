// Online backup and offline restore of the SQLite file (SPEC §12). Backups use SQLite's backup API
// (consistent while MedQ writes), then prove themselves with integrity_check before they count.
import Database from 'better-sqlite3';
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';

export class BackupError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BackupError';
  }
}

const STAMPED = /^medq-\d{8}-\d{6}(-\d+)?\.sqlite$/;

function stamp(now: Date): string {
  return now.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
}

function checkIntegrity(file: string): void {
  const copy = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const rows = copy.pragma('integrity_check') as Array<{ integrity_check: string }>;
    const problems = rows.map((r) => r.integrity_check).filter((r) => r !== 'ok');
    if (problems.length > 0) throw new BackupError(`integrity_check failed on ${file}: ${problems.slice(0, 3).join('; ')}`);
  } finally {
    copy.close();
  }
}

export interface BackupResult {
  file: string;
  bytes: number;
  removed: string[];
}

/**
 * Copies `dbPath` to `target`. A target that is a folder (existing, or written with a trailing
 * slash) gets a time-stamped `medq-YYYYMMDD-HHMMSS.sqlite`, and `keep` then removes all but the
 * newest `keep` such files in it. The copy is written beside its final name and renamed only once
 * integrity_check passes, so a failed or interrupted backup never looks like a good one.
 */
export async function backupDatabase(dbPath: string, target: string, opts: { keep?: number; now?: Date } = {}): Promise<BackupResult> {
  if (!existsSync(dbPath)) throw new BackupError(`no database at ${dbPath} (MEDQ_DB)`);
  const isFolder = target.endsWith('/') || (existsSync(target) && statSync(target).isDirectory());
  if (opts.keep !== undefined && !isFolder) throw new BackupError('--keep needs a folder as the backup target');
  let file: string;
  if (isFolder) {
    mkdirSync(target, { recursive: true });
    const base = `medq-${stamp(opts.now ?? new Date())}`;
    file = join(target, `${base}.sqlite`);
    for (let n = 1; existsSync(file); n++) file = join(target, `${base}-${n}.sqlite`);
  } else {
    mkdirSync(dirname(resolve(target)), { recursive: true });
    file = target;
  }
  if (resolve(file) === resolve(dbPath)) throw new BackupError('the backup target is the database itself');
  const partial = join(dirname(resolve(file)), `.${basename(file)}.partial`);
  rmSync(partial, { force: true });

  const source = new Database(dbPath, { readonly: true, fileMustExist: true });
  try {
    // All pages in one step: one read snapshot (WAL lets MedQ keep writing meanwhile). In small
    // steps, every commit by another process between two steps would restart the copy, and a busy
    // clinic could keep a large file's backup from ever finishing.
    await source.backup(partial, { progress: () => 0x7fffffff });
  } finally {
    source.close();
  }
  try {
    checkIntegrity(partial);
  } catch (e) {
    rmSync(partial, { force: true });
    throw e;
  }
  renameSync(partial, file);

  const removed: string[] = [];
  if (isFolder && opts.keep !== undefined) {
    const stamped = readdirSync(target)
      .filter((f) => STAMPED.test(f))
      .sort()
      .reverse();
    for (const old of stamped.slice(Math.max(opts.keep, 1))) {
      rmSync(join(target, old), { force: true });
      removed.push(join(target, old));
    }
  }
  return { file, bytes: statSync(file).size, removed };
}

/**
 * True when another connection has the database open (a running MedQ process): with WAL, every
 * open connection holds a shared lock that an exclusive-mode transaction cannot pass.
 */
export function databaseInUse(dbPath: string): boolean {
  if (!existsSync(dbPath)) return false;
  const probe = new Database(dbPath, { timeout: 0, fileMustExist: true });
  try {
    probe.pragma('locking_mode = EXCLUSIVE');
    probe.exec('BEGIN EXCLUSIVE');
    probe.prepare('select count(*) from sqlite_master').get();
    probe.exec('COMMIT');
    return false;
  } catch (e) {
    if ((e as { code?: string }).code === 'SQLITE_BUSY' || (e as { code?: string }).code === 'SQLITE_LOCKED') return true;
    throw e;
  } finally {
    probe.close();
  }
}

/**
 * Replaces the database with a backup, refused while any MedQ process has it open. The backup is
 * checked first; the current file is kept beside it as `<db>.before-restore-<stamp>`.
 */
export function restoreDatabase(dbPath: string, backupFile: string, opts: { now?: Date } = {}): { previous: string | null } {
  if (!existsSync(backupFile)) throw new BackupError(`no backup at ${backupFile}`);
  checkIntegrity(backupFile);
  if (databaseInUse(dbPath)) {
    throw new BackupError(`${dbPath} is in use: stop every MedQ process (api, ivr, sms) before restoring`);
  }
  mkdirSync(dirname(resolve(dbPath)), { recursive: true });
  let previous: string | null = null;
  if (existsSync(dbPath)) {
    previous = `${dbPath}.before-restore-${stamp(opts.now ?? new Date())}`;
    renameSync(dbPath, previous);
  }
  // A WAL or shared-memory file left by the old database would be replayed onto the restored one.
  for (const suffix of ['-wal', '-shm']) {
    if (existsSync(dbPath + suffix)) renameSync(dbPath + suffix, (previous ?? dbPath) + suffix);
  }
  const source = new Database(backupFile, { readonly: true, fileMustExist: true });
  try {
    source.exec(`VACUUM INTO '${resolve(dbPath).replace(/'/g, "''")}'`);
  } finally {
    source.close();
  }
  return { previous };
}
