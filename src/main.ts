// npm start: runs the roles named in MEDQ_ROLES (default all: api, ivr, sms) in one process on
// one SQLite file. Roles can also run as separate processes on the same file.
import { buildApp } from './api/app.js';
import { assertWebTexts } from './api/web-texts.js';
import { startIvrRole, type IvrRole } from './ari/index.js';
import { startCheckpointer } from './db/checkpoint.js';
import { assertSchemaNotNewer, migrateUnderLock, openDatabase, pendingMigrations, type Db } from './db/client.js';
import { metrics, setDbGaugeSources, startMetricsServer } from './metrics/index.js';
import { checkOrExit, configOrExit, fatal } from './shared/cli.js';
import { liveness, readiness, type HealthProbes } from './shared/health.js';
import { createLogger } from './shared/logger.js';
import { startupWarnings } from './shared/warnings.js';
import { startSmsRole, type SmsRole } from './sms/index.js';
import { loadDlt } from './sms/dlt.js';
import { checkSmsCatalogs } from './sms/texts.js';
import { createSyncContext, databaseAnswers, observeGroupCommits, otpBudgetRemaining, outboxGauges } from './sync/index.js';

const config = configOrExit('roles');
const logger = createLogger(config.logLevel);
for (const warning of startupWarnings(config)) logger.warn({ setting: warning.setting }, warning.message);
// Every role writes SMS: each language's texts must be complete. The sms role also checks every
// text against its DLT template (operators drop a message that differs).
const dlt = checkOrExit(() => {
  checkSmsCatalogs(config.languages);
  return config.roles.has('sms') ? loadDlt(config) : null;
});

async function openMigrated(): Promise<Db> {
  let opened: Db;
  try {
    opened = openDatabase(config.dbPath);
    // Never run on a schema a newer release wrote (SPEC §12).
    assertSchemaNotNewer(opened);
    // MEDQ_MIGRATE=on applies pending migrations here; otherwise `npm run db:migrate` must have.
    if (config.migrateOnStart) await migrateUnderLock(opened);
  } catch (e) {
    fatal(`cannot open the database ${config.dbPath} (MEDQ_DB)`, e);
  }
  const pending = pendingMigrations(opened);
  if (pending > 0) {
    process.stderr.write(
      `medq: the database ${config.dbPath} (MEDQ_DB) needs ${pending} migration(s): run \`npm run db:migrate\` first, or set MEDQ_MIGRATE=on\n`,
    );
    process.exit(78);
  }
  return opened;
}
const db = await openMigrated();
// WAL checkpoints on a thread of their own, not inside a caller's commit (src/db/checkpoint.ts).
const checkpointer = startCheckpointer(db, {
  onCheckpoint: (s) => metrics.checkpointSeconds.observe(s.ms / 1000),
  onError: (err) => {
    metrics.checkpointThreadUp.set(0);
    logger.error({ err }, 'the WAL checkpoint thread stopped; commits checkpoint by themselves again');
  },
});
metrics.checkpointThreadUp.set(checkpointer.started ? 1 : 0);
setDbGaugeSources({ outbox: () => outboxGauges(db, Date.now()), otpBudgetRemaining: () => otpBudgetRemaining(ctx) });
const ctx = createSyncContext(db, config);
observeGroupCommits((writes, seconds, ranAgain) => {
  metrics.writeGroup.observe(writes);
  metrics.writeGroupSeconds.observe(seconds);
  if (ranAgain) metrics.writeGroupReruns.inc();
});
const roles = [...config.roles];
logger.info({ roles, db: config.dbPath, env: config.nodeEnv }, 'medq starting');

const stops: Array<() => Promise<void>> = [];

let ivr: IvrRole | null = null;
if (config.roles.has('ivr')) {
  try {
    ivr = startIvrRole({ ctx, config, logger, soundsDir: config.soundsDir });
  } catch (e) {
    fatal('cannot start the ivr role', e); // e.g. a language of LANGUAGES without IVR texts
  }
  stops.push(() => ivr!.stop());
}

let sms: SmsRole | null = null;
if (config.roles.has('sms')) {
  sms = startSmsRole({ db, config, logger, dlt });
  stops.push(() => sms!.stop());
}

const health: HealthProbes = {
  db: () => (databaseAnswers(db) ? 'up' : 'down'),
  ari: () => (ivr ? ivr.state() : 'disabled'),
  smpp: () => (sms ? sms.state() : 'disabled'),
};

if (config.roles.has('api')) {
  // A language in LANGUAGES without its page strings: one line naming the setting, no stack trace.
  try {
    assertWebTexts(config.languages);
  } catch (e) {
    fatal('configuration error', e);
  }
  const app = buildApp({ ctx, config, logger: logger.child({ role: 'api' }), health });
  try {
    await app.listen({ host: config.httpHost, port: config.httpPort });
  } catch (e) {
    fatal(`cannot listen on ${config.httpHost}:${config.httpPort} (HTTP_HOST/HTTP_PORT)`, e);
  }
  stops.unshift(() => app.close());
}

// METRICS_PORT: /metrics, /healthz and /readyz for a process without the api role (the api role
// serves them itself).
if (config.metricsPort !== null) {
  try {
    const server = await startMetricsServer(config.httpHost, config.metricsPort, { live: () => liveness(db), ready: () => readiness(health) });
    stops.push(() => new Promise<void>((done) => server.close(() => done())));
  } catch (e) {
    fatal(`cannot listen on ${config.httpHost}:${config.metricsPort} (HTTP_HOST/METRICS_PORT)`, e);
  }
}

let stopping = false;
async function shutdown(signal: string) {
  if (stopping) return;
  stopping = true;
  logger.info({ signal }, 'medq stopping');
  const timer = setTimeout(() => {
    logger.error('shutdown took longer than 15 s; exiting');
    process.exit(1);
  }, 15_000);
  timer.unref();
  for (const stop of stops) {
    try {
      await stop();
    } catch (e) {
      logger.error({ err: e }, 'error while stopping');
    }
  }
  await checkpointer.stop();
  db.$client.close();
  process.exit(0);
}
process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('SIGINT', () => void shutdown('SIGINT'));
