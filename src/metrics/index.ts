// Prometheus metrics (SPEC §12). One registry per process; every role adds to it, and it is served
// at GET /metrics by the api role or on METRICS_PORT by processes without one. Names are fixed by
// the contract: dashboards and alerts depend on them.
import { createServer, type Server, type ServerResponse } from 'node:http';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export const registry = new Registry();
// The event-loop lag is sampled every 100 ms, not prom-client's 10: each sample wakes the process,
// and on these machines a hundred wake-ups a second cost ~7 ms of CPU every second, idle or not
// (issue 10). A stall still shows in nodejs_eventloop_lag_*; a caller's wait shows in
// medq_key_to_prompt_seconds.
collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: 100 });

// Key presses and HTTP answers are tens of milliseconds when healthy; the upper buckets catch stalls.
const LATENCY_BUCKETS = [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

export const metrics = {
  callsActive: new Gauge({ name: 'medq_calls_active', help: 'Calls now in the IVR', registers: [registry] }),
  callsTotal: new Counter({
    name: 'medq_calls_total',
    help: 'Calls ended, by outcome (booked, cancelled, hung_up, transferred, failed, …)',
    labelNames: ['outcome'] as const,
    registers: [registry],
  }),
  keyToPrompt: new Histogram({
    name: 'medq_key_to_prompt_seconds',
    help: 'From a caller key press to the start of the next prompt, as the app sees it',
    buckets: LATENCY_BUCKETS,
    registers: [registry],
  }),
  bookings: new Counter({
    name: 'medq_bookings_total',
    help: 'Appointments booked, by channel (ivr, web, desk)',
    labelNames: ['channel'] as const,
    registers: [registry],
  }),
  cancellations: new Counter({
    name: 'medq_cancellations_total',
    help: 'Appointments cancelled, by channel (ivr, web, desk, sms)',
    labelNames: ['channel'] as const,
    registers: [registry],
  }),
  sms: new Counter({
    name: 'medq_sms_total',
    help: 'SMS outcomes seen by this process, by kind and state (sent, delivered, failed, expired, retried)',
    labelNames: ['kind', 'state'] as const,
    registers: [registry],
  }),
  smppSubmit: new Histogram({
    name: 'medq_smpp_submit_seconds',
    help: 'From submit_sm to its submit_sm_resp',
    buckets: LATENCY_BUCKETS,
    registers: [registry],
  }),
  ariUp: new Gauge({ name: 'medq_ari_up', help: '1 while the ARI connection is up (ivr role)', registers: [registry] }),
  smppUp: new Gauge({ name: 'medq_smpp_up', help: '1 while the SMPP link is bound (sms role)', registers: [registry] }),
  reconnects: new Counter({
    name: 'medq_reconnects_total',
    help: 'Reconnections of a link (ari, smpp)',
    labelNames: ['link'] as const,
    registers: [registry],
  }),
  writeGroup: new Histogram({
    name: 'medq_db_write_group_size',
    help: 'Writes (bookings) that shared one durable commit: above 1 when several arrived together',
    buckets: [1, 2, 4, 8, 16, 32, 64],
    registers: [registry],
  }),
  writeGroupSeconds: new Histogram({
    name: 'medq_db_write_group_seconds',
    help: 'Time of each group commit of bookings, durable COMMIT included: callers hear the outcome only after it (a slow disk shows here)',
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
    registers: [registry],
  }),
  writeGroupReruns: new Counter({
    name: 'medq_db_write_group_reruns_total',
    help: 'Group commits run a second time, each booking in a savepoint: a booking in the first try failed after writing (a new caller refused after the account was made); each costs its group CPU twice',
    registers: [registry],
  }),
  checkpointThreadUp: new Gauge({
    name: 'medq_db_checkpoint_thread_up',
    help: '1 while the WAL checkpoint thread runs; 0: commits checkpoint by themselves again (slower calls)',
    registers: [registry],
  }),
  checkpointSeconds: new Histogram({
    name: 'medq_db_checkpoint_seconds',
    help: 'WAL checkpoints made by the checkpoint thread (about 1,000 frames copied into the database each)',
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
    registers: [registry],
  }),
  httpDuration: new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request duration by route (its pattern, not the URL) and status',
    labelNames: ['route', 'status'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [registry],
  }),
};

/** Values read from the database when scraped (shared by every process on it). */
export interface DbGaugeSources {
  outbox: () => { depth: number; oldestSeconds: number };
  otpBudgetRemaining: () => number;
}

let sources: DbGaugeSources | null = null;

new Gauge({
  name: 'medq_outbox_depth',
  help: 'SMS waiting in the outbox (queued or being sent)',
  registers: [registry],
  collect() {
    if (sources) this.set(sources.outbox().depth);
  },
});
new Gauge({
  name: 'medq_outbox_oldest_seconds',
  help: 'Age of the oldest SMS still waiting in the outbox (0 when empty)',
  registers: [registry],
  collect() {
    if (sources) this.set(sources.outbox().oldestSeconds);
  },
});
new Gauge({
  name: 'medq_otp_sms_budget_remaining',
  help: 'Code SMS still allowed this hour (OTP_SMS_PER_HOUR minus those queued in the last hour)',
  registers: [registry],
  collect() {
    if (sources) this.set(sources.otpBudgetRemaining());
  },
});

/** The process's database readers for the gauges above; called once at start. */
export function setDbGaugeSources(s: DbGaugeSources): void {
  sources = s;
}

export async function renderMetrics(): Promise<{ contentType: string; body: string }> {
  return { contentType: registry.contentType, body: await registry.metrics() };
}

/** What the METRICS_PORT server answers at /healthz and /readyz (same bodies as the api's). */
export interface ProcessHealth {
  live(): object;
  ready(): { status: 'ready' | 'not_ready' };
}

/**
 * METRICS_PORT: /metrics, /healthz and /readyz for processes without the api role (ivr-only,
 * sms-only), so each ivr process beside its own Asterisk can be probed on its own.
 */
export function startMetricsServer(host: string, port: number, health?: ProcessHealth): Promise<Server> {
  const json = (res: ServerResponse, status: number, body: object): void => {
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' }).end(JSON.stringify(body));
  };
  const server = createServer((req, res) => {
    const path = (req.url ?? '').split('?')[0];
    if (req.method === 'GET' && health && path === '/healthz') return json(res, 200, health.live());
    if (req.method === 'GET' && health && path === '/readyz') {
      const r = health.ready();
      return json(res, r.status === 'ready' ? 200 : 503, r);
    }
    if (req.method !== 'GET' || path !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
      return;
    }
    renderMetrics().then(
      (m) => res.writeHead(200, { 'content-type': m.contentType }).end(m.body),
      () => res.writeHead(500, { 'content-type': 'text/plain' }).end('metrics unavailable\n'),
    );
  });
  return new Promise((resolveListen, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolveListen(server));
  });
}
