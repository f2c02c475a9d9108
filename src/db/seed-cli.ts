// npm run db:seed [-- FILE]: loads db/seed/demo.json (or FILE) idempotently into MEDQ_DB.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { configOrExit, fatal } from '../shared/cli.js';
import { createSyncContext } from '../sync/index.js';
import { loadSeed, type SeedFile } from '../sync/seed.js';
import { migrateDatabase, openDatabase, packageDbFolder } from './client.js';

const config = configOrExit();
const file = process.argv[2] ?? resolve(packageDbFolder(), 'seed/demo.json');
try {
  const seed = JSON.parse(readFileSync(file, 'utf8')) as SeedFile;
  const db = openDatabase(config.dbPath);
  migrateDatabase(db);
  const counts = loadSeed(createSyncContext(db, config), seed);
  db.$client.close();
  process.stdout.write(`medq: seeded ${counts.clinics} clinic(s), ${counts.doctors} doctor(s) from ${file}\n`);
} catch (e) {
  fatal('seed failed', e);
}
