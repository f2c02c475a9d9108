// npm run db:backup -- FILE|FOLDER/ [--keep N]: an online, integrity-checked copy of MEDQ_DB.
import { configOrExit, fatal } from '../shared/cli.js';
import { backupDatabase } from '../db/backup.js';

const args = process.argv.slice(2);
let keep: number | undefined;
const targets: string[] = [];
for (let i = 0; i < args.length; i++) {
  const a = args[i]!;
  if (a === '--keep') {
    const n = args[++i];
    if (n === undefined || !/^\d+$/.test(n) || Number(n) < 1) fatal('usage', new Error('--keep takes a number of backups to keep (1 or more)'));
    keep = Number(n);
  } else targets.push(a);
}
if (targets.length !== 1) {
  process.stderr.write('usage: npm run db:backup -- FILE | FOLDER/ [--keep N]\n');
  process.exit(64);
}
const config = configOrExit();
try {
  const r = await backupDatabase(config.dbPath, targets[0]!, keep === undefined ? {} : { keep });
  process.stdout.write(`medq: backed up ${config.dbPath} to ${r.file} (${r.bytes} bytes, integrity_check ok)\n`);
  for (const f of r.removed) process.stdout.write(`medq: removed old backup ${f}\n`);
} catch (e) {
  fatal('backup failed', e);
}
