// Start-up helpers for the command-line entry points: one clear line on a bad setting, exit non-zero.
import { ConfigError, loadConfig, type Config } from '../config/index.js';

export function configOrExit(): Config {
  try {
    return loadConfig();
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`medq: configuration error: ${e.message}\n`);
      process.exit(78); // EX_CONFIG
    }
    throw e;
  }
}

export function fatal(what: string, e: unknown): never {
  process.stderr.write(`medq: ${what}: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
}
