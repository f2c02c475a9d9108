// npm run db:seed [-- FILE]: loads db/seed/demo.json (or FILE) idempotently into MEDQ_DB.
// --if-demo-seed (the container's start): load it only when MEDQ_DEMO_SEED=on, else do nothing.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { configOrExit, fatal } from '../shared/cli.js';
import { createSyncContext } from '../sync/index.js';
import { loadSeed, type SeedFile } from '../sync/seed.js';
import { migrateDatabase, openDatabase, packageDbFolder } from '../db/client.js';

const args = process.argv.slice(2);
const onlyIfAsked = args.includes('--if-demo-seed');
const config = configOrExit();
if (onlyIfAsked && !config.demoSeed) {
  process.stdout.write('medq: MEDQ_DEMO_SEED is off: no demo data loaded\n');
  process.exit(0);
}
const file = args.find((a) => a !== '--if-demo-seed') ?? resolve(packageDbFolder(), 'seed/demo.json');
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
