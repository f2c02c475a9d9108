// Every query lives in src/sync (src/db holds the schema, migrations and backup): a second SQL
// dialect for clinic chains (PostgreSQL) then comes in one place. The edges (API, IVR, SMS, CLI)
// reach the database only through the sync module.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../support/asterisk.js';

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sourceFiles(path) : path.endsWith('.ts') ? [path] : [];
  });
}

describe('queries stay in src/sync', () => {
  it('no file outside src/sync and src/db imports drizzle-orm or better-sqlite3, or prepares SQL', () => {
    const src = join(REPO_ROOT, 'src');
    const offenders = sourceFiles(src)
      .map((path) => relative(REPO_ROOT, path))
      .filter((rel) => !rel.startsWith('src/sync/') && !rel.startsWith('src/db/'))
      .filter((rel) => {
        const text = readFileSync(join(REPO_ROOT, rel), 'utf8');
        return /from '(drizzle-orm[^']*|better-sqlite3)'/.test(text) || /\.prepare\(\s*['"`]/.test(text) || /\bsql`/.test(text);
      });
    expect(offenders).toEqual([]);
  });
});
