// The API over real HTTP: a migrated, seeded SQLite file in a temp dir, the app listening on an
// ephemeral port on 127.0.0.1, and fetch. The sync context's clock is the test's to move.
import { eq } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/api/app.js';
import type { HealthProbes } from '../../src/api/services.js';
import { accounts, smsOutbox } from '../../src/db/schema.js';
import { createLogger } from '../../src/shared/logger.js';
import { bookByPhone, hashPassword } from '../../src/sync/index.js';
import { createStaffAccount } from '../../src/sync/admin.js';
import { createTestDb, type TestDb } from '../support/db.js';

export interface Reply<T = any> {
  status: number;
  body: T;
  headers: Headers;
  text: string;
}

export interface CallOptions {
  body?: unknown;
  /** Sent as-is (for malformed JSON and odd content types). */
  raw?: string;
  token?: string;
  headers?: Record<string, string>;
}

export interface TestApi {
  t: TestDb;
  app: FastifyInstance;
  base: string;
  health: { db: ReturnType<HealthProbes['db']>; ari: ReturnType<HealthProbes['ari']>; smpp: ReturnType<HealthProbes['smpp']> };
  call<T = any>(method: string, path: string, opts?: CallOptions): Promise<Reply<T>>;
  /** The newest OTP code sent to a phone (read from the outbox row, as the SMSC would see it). */
  otp(phone: string): string;
  sms(phone?: string): Array<typeof smsOutbox.$inferSelect>;
  close(): Promise<void>;
}

let clientSeq = 0;

export async function startApi(opts: { env?: Record<string, string>; at?: string; webRoot?: string } = {}): Promise<TestApi> {
  const t = createTestDb({ env: { TRUST_PROXY: '1', ...opts.env }, ...(opts.at ? { at: opts.at } : {}) });
  const health: TestApi['health'] = { db: 'up', ari: 'disabled', smpp: 'disabled' };
  const app = buildApp({
    ctx: t.ctx,
    config: t.config,
    logger: createLogger('silent'),
    health: { db: () => health.db, ari: () => health.ari, smpp: () => health.smpp },
    webRoot: opts.webRoot ?? '/nonexistent-medq-web',
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const addr = app.server.address();
  if (!addr || typeof addr === 'string') throw new Error('no address');
  const base = `http://127.0.0.1:${addr.port}`;
  // Each test app is its own client address (TRUST_PROXY=1: one proxy hop believed), so rate limits do not leak between tests.
  const clientIp = `10.${(++clientSeq >> 8) & 255}.${clientSeq & 255}.${process.pid % 250}`;

  async function call(method: string, path: string, o: CallOptions = {}): Promise<Reply> {
    const headers: Record<string, string> = { 'x-forwarded-for': clientIp, ...o.headers };
    let body: string | undefined;
    if (o.raw !== undefined) body = o.raw;
    else if (o.body !== undefined) {
      body = JSON.stringify(o.body);
      headers['content-type'] ??= 'application/json';
    }
    if (o.token) headers['authorization'] = `Bearer ${o.token}`;
    const res = await fetch(base + path, { method, headers, ...(body !== undefined ? { body } : {}) });
    const text = await res.text();
    let parsed: unknown = undefined;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = undefined;
    }
    return { status: res.status, body: parsed, headers: res.headers, text };
  }

  const sms = (phone?: string) =>
    t.db
      .select()
      .from(smsOutbox)
      .where(phone ? eq(smsOutbox.phone, phone) : undefined)
      .orderBy(smsOutbox.id)
      .all();

  return {
    t,
    app,
    base,
    health,
    call,
    sms,
    otp(phone) {
      const row = sms(phone)
        .filter((s) => s.kind === 'otp')
        .at(-1);
      const m = row && /code: (\d{6})\./.exec(row.body);
      if (!m) throw new Error(`no OTP for ${phone}`);
      return m[1]!;
    },
    async close() {
      await app.close();
      t.close();
    },
  };
}

/** A person registering on the web: the SPEC's field names. */
export function person(phone: string, username: string, name = 'Asha Rao', password = 'correct-horse-1') {
  return { name, age: 34, phone_number: phone, username, password };
}

/** Registers with verification off (one request) and returns token and user. */
export async function registered(api: TestApi, phone: string, username: string, password = 'correct-horse-1') {
  const r = await api.call('POST', '/api/auth/register', { body: person(phone, username, 'Asha Rao', password) });
  if (r.status !== 201) throw new Error(`register: ${r.status} ${r.text}`);
  return r.body as { token: string; user: { id: number; phone_number: string } };
}

export async function ivrBook(api: TestApi, phone: string, time: string, doctorId = 1, date = '2026-11-30') {
  const r = await bookByPhone(api.t.ctx, { phone, doctorId, date, time });
  if (!r.ok) throw new Error(`IVR booking failed: ${r.code}`);
  return r.value;
}

export function tempPassword(api: TestApi, phone: string): string {
  const welcome = api.sms(phone).find((s) => s.kind === 'welcome');
  return /Password: ([A-Z0-9]{8})\n/.exec(welcome!.body)![1]!;
}

export async function staffToken(api: TestApi, username = 'reception', phone = '+919000000900'): Promise<string> {
  const r = createStaffAccount(api.t.ctx, { username, phone, name: 'Reception', passwordHash: await hashPassword('staff-pass-123') });
  if (!r.ok) throw new Error(r.code);
  const login = await api.call('POST', '/api/auth/login', { body: { username, password: 'staff-pass-123' } });
  return login.body.token;
}

export function accountRow(api: TestApi, phone: string) {
  return api.t.db.select().from(accounts).where(eq(accounts.phone, phone)).get();
}
