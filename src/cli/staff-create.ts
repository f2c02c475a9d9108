// npm run staff:create -- --username NAME --phone PHONE --name "DISPLAY NAME" [--password-stdin]
// Creates a staff login (the first one, or any later one) in MEDQ_DB.
// Without --password-stdin a random password is generated, printed once, and must be changed at
// the first log-in; with it, the password is read from standard input (never from the command
// line, where it would land in the shell history and the process list).
import { parseArgs } from 'node:util';
import { migrateDatabase, openDatabase } from '../db/client.js';
import { configOrExit, fatal } from '../shared/cli.js';
import { generatedPassword, readStdin, usageExit } from '../shared/password-input.js';
import { createStaffAccount } from '../sync/admin.js';
import { checkNewPassword, createSyncContext, hashPassword } from '../sync/index.js';

const USAGE = 'usage: npm run staff:create -- --username NAME --phone PHONE --name "DISPLAY NAME" [--password-stdin]';

function usage(problem: string): never {
  return usageExit(USAGE, problem);
}

async function main(): Promise<void> {
  let args;
  try {
    args = parseArgs({
      options: {
        username: { type: 'string' },
        phone: { type: 'string' },
        name: { type: 'string' },
        'password-stdin': { type: 'boolean', default: false },
        help: { type: 'boolean', default: false },
      },
      strict: true,
    }).values;
  } catch (e) {
    usage(e instanceof Error ? e.message : String(e));
  }
  if (args.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  if (!args.username || !args.phone || !args.name) usage('--username, --phone and --name are required');

  const config = configOrExit();
  const generated = !args['password-stdin'];
  const password = generated ? generatedPassword() : await readStdin();
  const weak = checkNewPassword(password, args.username, args.phone);
  if (weak) usage(weak.message);

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
