// Start-up helpers for the command-line entry points: `.env` read when it exists (the environment
// wins over it), one clear line on a bad setting, exit non-zero.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { ConfigError, loadConfig, type Config, type Secret } from '../config/index.js';

/** `.env` in the working folder (npm runs scripts in the package folder); MEDQ_ENV_FILE names another. */
export function loadDotEnv(env: NodeJS.ProcessEnv = process.env): string | null {
  const file = resolve(env['MEDQ_ENV_FILE']?.trim() || '.env');
  if (!existsSync(file)) {
    if (env['MEDQ_ENV_FILE']?.trim()) {
      process.stderr.write(`medq: configuration error: MEDQ_ENV_FILE: ${file} does not exist\n`);
      process.exit(78);
    }
    return null;
  }
  try {
    // Node's own parser; variables already in the environment are left as they are.
    process.loadEnvFile(file);
  } catch (e) {
    process.stderr.write(`medq: configuration error: cannot read ${file}: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(78);
  }
  return file;
}

/**
 * The configuration of this command, or exit 78 with one line naming the variable. `needs` are the
 * secrets the command uses (a CLI that only opens the database names none); `npm start` passes
 * 'roles' (JWT_SECRET for api, ARI_PASSWORD for ivr).
 */
export function configOrExit(needs: readonly Secret[] | 'roles' = []): Config {
  loadDotEnv();
  try {
    return loadConfig(process.env, { needs });
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`medq: configuration error: ${e.message}\n`);
      process.exit(78); // EX_CONFIG
    }
    throw e;
  }
}

/** Runs a start-up check; a ConfigError it throws is one line and exit 78, as for a bad variable. */
export function checkOrExit<T>(check: () => T): T {
  try {
    return check();
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`medq: configuration error: ${e.message}\n`);
      process.exit(78);
    }
    throw e;
  }
}

export function fatal(what: string, e: unknown): never {
  process.stderr.write(`medq: ${what}: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
}
