// npm run db:migrate: applies db/migrations to MEDQ_DB.
import { configOrExit, fatal } from '../shared/cli.js';
import { migrateDatabase, openDatabase } from '../db/client.js';

const config = configOrExit();
try {
  const db = openDatabase(config.dbPath);
  migrateDatabase(db);
  db.$client.close();
  process.stdout.write(`medq: database ${config.dbPath} is up to date\n`);
} catch (e) {
  fatal('migration failed', e);
}
