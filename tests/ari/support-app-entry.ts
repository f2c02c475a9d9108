// The ivr role alone in a process of its own, for the test that kills the app with calls up:
//   node --import tsx tests/ari/support-app-entry.ts
// Configuration from the environment like production (ARI_URL, ARI_USERNAME, ARI_PASSWORD,
// MEDQ_DB, MENU_TIMEOUT_MS…), plus MEDQ_TEST_SOUNDS_DIR. Logs JSON lines on stdout.
import { startIvrRole } from '../../src/ari/index.js';
import { openDatabase } from '../../src/db/client.js';
import { configOrExit } from '../../src/shared/cli.js';
import { createLogger } from '../../src/shared/logger.js';
import { createSyncContext } from '../../src/sync/index.js';

const config = configOrExit();
const logger = createLogger(config.logLevel, 'medq-test-app');
const db = openDatabase(config.dbPath);
const ctx = createSyncContext(db, config);
const role = startIvrRole({ ctx, config, logger, soundsDir: process.env['MEDQ_TEST_SOUNDS_DIR'] });

async function shutdown(): Promise<void> {
  await role.stop();
  db.$client.close();
  process.exit(0);
}
process.once('SIGTERM', () => void shutdown());
process.once('SIGINT', () => void shutdown());
