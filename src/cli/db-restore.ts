// npm run db:restore -- FILE: replaces MEDQ_DB with a backup; refused while MedQ runs.
import { configOrExit, fatal } from '../shared/cli.js';
import { restoreDatabase } from '../db/backup.js';

const args = process.argv.slice(2);
if (args.length !== 1) {
  process.stderr.write('usage: npm run db:restore -- FILE\n');
  process.exit(64);
}
const config = configOrExit();
try {
  const r = restoreDatabase(config.dbPath, args[0]!);
  process.stdout.write(`medq: restored ${config.dbPath} from ${args[0]}${r.previous ? ` (the previous file is kept as ${r.previous})` : ''}\n`);
} catch (e) {
  fatal('restore refused', e);
}
