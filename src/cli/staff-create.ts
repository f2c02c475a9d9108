// npm run staff:create -- --username NAME --phone PHONE --name "DISPLAY NAME" [--password-stdin]
// Creates a staff login (the first one, or any later one) in MEDQ_DB.
// Without --password-stdin a random password is generated, printed once, and must be changed at
// the first log-in; with it, the password is read from standard input (never from the command
// line, where it would land in the shell history and the process list).
import { migrateDatabase, openDatabase } from '../db/client.js';
import { configOrExit, fatal } from '../shared/cli.js';
import { commandArgs, staffPassword, usageExit } from '../shared/password-input.js';
import { createStaffAccount } from '../sync/admin.js';
import { checkNewPassword, createSyncContext, hashPassword } from '../sync/index.js';

const USAGE = 'usage: npm run staff:create -- --username NAME --phone PHONE --name "DISPLAY NAME" [--password-stdin]';

async function main(): Promise<void> {
  const args = commandArgs(USAGE, {
    username: { type: 'string' },
    phone: { type: 'string' },
    name: { type: 'string' },
    'password-stdin': { type: 'boolean', default: false },
  });
  if (!args.username || !args.phone || !args.name) usageExit(USAGE, '--username, --phone and --name are required');

  const config = configOrExit();
  const { password, generated } = await staffPassword(args['password-stdin']);
  const weak = checkNewPassword(password, args.username, args.phone);
  if (weak) usageExit(USAGE, weak.message);

  const db = openDatabase(config.dbPath);
  try {
    migrateDatabase(db);
    const ctx = createSyncContext(db, config);
    const created = createStaffAccount(ctx, {
      username: args.username,
      phone: args.phone,
      name: args.name,
      passwordHash: await hashPassword(password),
      mustChangePassword: generated,
    });
    if (!created.ok) {
      process.stderr.write(`medq: staff account not created: ${created.message}\n`);
      process.exitCode = 1;
      return;
    }
    const a = created.value;
    process.stdout.write(`medq: staff account "${a.username}" created (id ${a.id}, phone ${a.phone}) in ${config.dbPath}\n`);
    if (generated) {
      process.stdout.write(`medq: temporary password (shown once; it must be changed at the first log-in): ${password}\n`);
    }
  } finally {
    db.$client.close();
  }
}

main().catch((e) => fatal('staff:create failed', e));
