// `--baseline=<commit>`: a checkout of an older commit beside this one (git worktree in the temp
// folder, the same node_modules), so each optimisation is measured before → after in the same run.
// The bench's own server scripts are copied in: the older code is what they import.
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, symlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = fileURLToPath(new URL('../../', import.meta.url));

export function baselineCheckout(commit: string, scripts: string[]): { dir: string; label: string; remove(): void } {
  const sha = execFileSync('git', ['rev-parse', '--short', commit], { cwd: repo, encoding: 'utf8' }).trim();
  const dir = path.join(os.tmpdir(), `medq-bench-baseline-${sha}-${process.pid}`);
  execFileSync('git', ['worktree', 'add', '--detach', '--force', dir, sha], { cwd: repo, stdio: 'ignore' });
  const nm = path.join(repo, 'node_modules');
  if (!existsSync(path.join(dir, 'node_modules'))) symlinkSync(path.resolve(nm), path.join(dir, 'node_modules'));
  for (const s of scripts) {
    const to = path.join(dir, 'bench', s);
    mkdirSync(path.dirname(to), { recursive: true });
    copyFileSync(path.join(repo, 'bench', s), to);
  }
  return {
    dir,
    label: sha,
    remove() {
      execFileSync('git', ['worktree', 'remove', '--force', dir], { cwd: repo, stdio: 'ignore' });
    },
  };
}
