// The reminder scheduler of the sms role: every ~30 s it asks the sync module to queue the
// reminders that are due (SPEC §7, "within a minute of that moment"). Several sms workers may run
// it at once; the sync module's unique dedupe key makes each reminder queued exactly once.
import type { Logger } from '../shared/logger.js';
import { dropStaleReminders, queueDueReminders, type ReminderSettings, type SyncContext } from '../sync/index.js';

export interface ReminderScheduler {
  /** One run now (also what the timer does); returns how many reminders it queued. */
  runOnce(): number;
  stop(): void;
}

export function startReminderScheduler(
  ctx: SyncContext,
  settings: ReminderSettings,
  intervalMs: number,
  log: Logger,
  onQueued: () => void = () => undefined,
): ReminderScheduler {
  const runOnce = (): number => {
    if (settings.reminderHours <= 0) return 0;
    try {
      const dropped = dropStaleReminders(ctx);
      if (dropped > 0) log.info({ dropped }, 'queued reminders dropped (appointment cancelled or past, or phone opted out)');
      const run = queueDueReminders(ctx, settings);
      if (run.queued > 0) {
        log.info({ queued: run.queued, appointmentIds: run.appointmentIds }, 'reminders queued');
        onQueued();
      }
      return run.queued;
    } catch (err) {
      // A busy or broken database: the next run tries again; nothing was half-written.
      log.error({ err }, 'reminder run failed');
      return 0;
    }
  };
  const timer = settings.reminderHours > 0 ? setInterval(runOnce, intervalMs) : null;
  if (settings.reminderHours > 0) {
    log.info({ reminderHours: settings.reminderHours, repliesReachUs: settings.repliesReachUs, everyMs: intervalMs }, 'reminder scheduler started');
    setImmediate(runOnce);
  }
  return {
    runOnce,
    stop() {
      if (timer) clearInterval(timer);
    },
  };
}
