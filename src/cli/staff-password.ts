// npm run staff:password -- --username NAME [--password-stdin]
// Sets a new password for a staff login in MEDQ_DB, from the server's shell: the way back in when
// no SMS code can prove a staff member's phone (PHONE_VERIFICATION=off, or no SMPP). Every token
// issued before stops working. Without --password-stdin a random password is generated, printed
// once, and must be changed at the next log-in; with it, the password is read from standard input
// (never from the command line, where it would land in the shell history and the process list).
import { configOrExit, fatal } from '../shared/cli.js';
import { commandArgs, staffPassword, usageExit } from '../shared/password-input.js';
import { checkNewPassword, createSyncContext, hashPassword, resetStaffPassword, staffAccountByUsername } from '../sync/index.js';
import { migrateDatabase, openDatabase } from '../db/client.js';

const USAGE = 'usage: npm run staff:password -- --username NAME [--password-stdin]';

async function main(): Promise<void> {
  const args = commandArgs(USAGE, { username: { type: 'string' }, 'password-stdin': { type: 'boolean', default: false } });
  if (!args.username) usageExit(USAGE, '--username is required');

  const config = configOrExit();
  const { password, generated } = await staffPassword(args['password-stdin']);

  const db = openDatabase(config.dbPath);
  try {
    migrateDatabase(db);
    const ctx = createSyncContext(db, config);
    const staff = staffAccountByUsername(ctx, args.username);
    if (!staff) {
      process.stderr.write(`medq: password not changed: no staff account is named "${args.username.trim().toLowerCase()}" in ${config.dbPath}\n`);
      process.exitCode = 1;
      return;
    }
    const weak = checkNewPassword(password, staff.username, staff.phone);
    if (weak) usageExit(USAGE, weak.message);
    const reset = resetStaffPassword(ctx, {
      username: staff.username,
      passwordHash: await hashPassword(password),
      mustChangePassword: generated,
    });
    if (!reset.ok) {
      process.stderr.write(`medq: password not changed: ${reset.message}\n`);
      process.exitCode = 1;
      return;
    }
    process.stdout.write(`medq: new password set for staff account "${reset.value.username}" in ${config.dbPath}; older log-ins are ended\n`);
    if (generated) {
      process.stdout.write(`medq: temporary password (shown once; it must be changed at the next log-in): ${password}\n`);
    }
  } finally {
    db.$client.close();
  }
}

main().catch((e) => fatal('staff:password failed', e));
