// What every route shares: error shapes, rate limits, health, docs, the pages.
import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildApp } from '../../src/api/app.js';
import { openDatabase } from '../../src/db/client.js';
import { createLogger } from '../../src/shared/logger.js';
import { createSyncContext } from '../../src/sync/index.js';
import { person, registered, startApi, type TestApi } from './helpers.js';

let api: TestApi;
afterEach(async () => api?.close());

describe('errors', () => {
  it('malformed JSON is 400 validation_error, never 500; so are empty and non-object bodies', async () => {
    api = await startApi();
    for (const raw of ['{', '{"name":', 'not json', '{"a":1,}', "{'a':1}", '', 'null', '[]', '"x"', '42', '{"__proto__":{"x":1}}', '{"constructor":{"prototype":{"x":1}}}']) {
      const r = await api.call('POST', '/api/auth/register', { raw, headers: { 'content-type': 'application/json' } });
      expect(r.status, raw).toBe(400);
      expect(r.body.error, raw).toBe('validation_error');
      expect(typeof r.body.message).toBe('string');
      expect(r.text).not.toMatch(/at .*\.(js|ts):\d+/);
    }
    const noBody = await api.call('POST', '/api/auth/login');
    expect(noBody.status).toBe(400);
    expect(noBody.body.error).toBe('validation_error');
  });

  it('other content types are 415, huge bodies 413, unknown /api routes 404 JSON', async () => {
    api = await startApi();
    const form = await api.call('POST', '/api/auth/register', { raw: 'name=x', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(form.status).toBe(415);
    expect(form.body.error).toBe('unsupported_media_type');
    const big = await api.call('POST', '/api/auth/login', { raw: JSON.stringify({ username: 'x'.repeat(100_000), password: 'x' }), headers: { 'content-type': 'application/json' } });
    expect(big.status).toBe(413);
    expect(big.body.error).toBe('payload_too_large');
    for (const [m, p] of [['GET', '/api/nothing'], ['POST', '/api/me/nothing'], ['DELETE', '/api/clinics'], ['GET', '/api'], ['GET', '/nothing']]) {
      const r = await api.call(m!, p!);
      expect(r.status, `${m} ${p}`).toBe(404);
      expect(r.body).toEqual({ error: 'not_found', message: expect.any(String) });
    }
  });

  it('an unexpected failure is 500 internal_error with no details; a probe that throws is "down"', async () => {
    api = await startApi();
    api.t.db.$client.close();
    const r = await api.call('GET', '/api/clinics');
    expect(r.status).toBe(500);
    expect(r.body).toEqual({ error: 'internal_error', message: expect.any(String) });
    expect(r.text).not.toMatch(/sqlite|database|stack|\.ts/i);
  });

  it('API answers are not cached and are not sniffed', async () => {
    api = await startApi();
    const r = await api.call('GET', '/api/clinics');
    expect(r.headers.get('cache-control')).toBe('no-store');
    expect(r.headers.get('x-content-type-options')).toBe('nosniff');
  });
});

describe('rate limits', () => {
  it('register: 30 per 10 minutes per address → 429 rate_limited with retry_after; other routes and addresses unaffected', async () => {
    api = await startApi();
    const bad = { name: 'x' }; // rejected by validation: cheap, and still counted
    for (let i = 0; i < 30; i++) expect((await api.call('POST', '/api/auth/register', { body: bad })).status).toBe(400);
    const limited = await api.call('POST', '/api/auth/register', { body: person('+919876543210', 'asha') });
    expect(limited.status).toBe(429);
    expect(limited.body).toEqual({ error: 'rate_limited', message: expect.any(String), retry_after: expect.any(Number) });
    expect(limited.body.retry_after).toBeGreaterThan(500);
    expect(limited.body.retry_after).toBeLessThanOrEqual(600);
    expect(limited.headers.get('retry-after')).toBe(String(limited.body.retry_after));
    // Another address (X-Forwarded-For is believed: TRUST_PROXY=1) and another route are free.
    expect((await api.call('POST', '/api/auth/register', { body: bad, headers: { 'x-forwarded-for': '192.0.2.77' } })).status).toBe(400);
    expect((await api.call('POST', '/api/auth/link-ivr', { body: bad })).status).toBe(400);
    // The window slides: ten minutes later the address may register again.
    api.t.clock.advance(10 * 60_000 + 1000);
    expect((await api.call('POST', '/api/auth/register', { body: bad })).status).toBe(400);
  });

  it('link-ivr and password-reset: 30 per 10 minutes; verify and resend are limited too', async () => {
    api = await startApi();
    for (const [path, max] of [['/api/auth/link-ivr', 30], ['/api/auth/password-reset', 30], ['/api/auth/verify', 60], ['/api/auth/verify/resend', 20]] as const) {
      for (let i = 0; i < max; i++) expect((await api.call('POST', path, { body: {} })).status).toBe(400);
      const r = await api.call('POST', path, { body: {} });
      expect(r.status, path).toBe(429);
      expect(r.body.error).toBe('rate_limited');
    }
  });

  it('two api processes on one database share one limit (the counters live in SQLite)', async () => {
    api = await startApi();
    // A second app with its own connection to the same file, as a second process would have.
    const db2 = openDatabase(api.t.path);
    const second = buildApp({
      ctx: createSyncContext(db2, api.t.config, () => api.t.clock.now),
      config: api.t.config,
      logger: createLogger('silent'),
      health: { db: () => 'up', ari: () => 'disabled', smpp: () => 'disabled' },
      webRoot: '/nonexistent-medq-web',
    });
    await second.listen({ port: 0, host: '127.0.0.1' });
    try {
      const addr = second.server.address() as { port: number };
      const headers = { 'content-type': 'application/json', 'x-forwarded-for': '192.0.2.1' };
      const post = (base: string) => fetch(`${base}/api/auth/register`, { method: 'POST', headers, body: '{}' }).then((r) => r.status);
      for (let i = 0; i < 15; i++) {
        expect(await post(api.base)).toBe(400);
        expect(await post(`http://127.0.0.1:${addr.port}`)).toBe(400);
      }
      expect(await post(api.base)).toBe(429);
      expect(await post(`http://127.0.0.1:${addr.port}`)).toBe(429);
    } finally {
      await second.close();
      db2.$client.close();
    }
  });

  it('with TRUST_PROXY off, X-Forwarded-For does not buy a new address', async () => {
    api = await startApi({ env: { TRUST_PROXY: 'off' } });
    for (let i = 0; i < 30; i++) {
      await api.call('POST', '/api/auth/password-reset', { body: {}, headers: { 'x-forwarded-for': `198.51.100.${i}` } });
    }
    const r = await api.call('POST', '/api/auth/password-reset', { body: {}, headers: { 'x-forwarded-for': '203.0.113.9' } });
    expect(r.status).toBe(429);
  });

  it('10 failed logins per username per 10 minutes; then even the right password waits', async () => {
    api = await startApi({ env: { PHONE_VERIFICATION: 'off' } });
    await registered(api, '+919876543210', 'asha');
    await registered(api, '+919812345678', 'ravi');
    for (let i = 0; i < 10; i++) {
      // Reached by username and by phone: both count against the one account.
      const body = i % 2 ? { username: 'asha', password: 'wrong-pass' } : { phone_number: '9876543210', password: 'wrong-pass' };
      expect((await api.call('POST', '/api/auth/login', { body, headers: { 'x-forwarded-for': `198.51.100.${i}` } })).status).toBe(401);
    }
    const locked = await api.call('POST', '/api/auth/login', { body: { username: 'asha', password: 'correct-horse-1' } });
    expect(locked.status).toBe(429);
    expect(locked.body).toMatchObject({ error: 'rate_limited', retry_after: expect.any(Number) });
    expect((await api.call('POST', '/api/auth/login', { body: { username: 'ravi', password: 'correct-horse-1' } })).status).toBe(200);
    api.t.clock.advance(10 * 60_000 + 1000);
    expect((await api.call('POST', '/api/auth/login', { body: { username: 'asha', password: 'correct-horse-1' } })).status).toBe(200);
  });

  it('wrong current passwords on /api/me/password count as failed log-ins of that account', async () => {
    api = await startApi({ env: { PHONE_VERIFICATION: 'off' } });
    const { token } = await registered(api, '+919876543210', 'asha');
    for (let i = 0; i < 10; i++) {
      const r = await api.call('POST', '/api/me/password', { token, body: { current_password: 'guess-' + i, new_password: 'brand-new-pass' } });
      expect(r.status).toBe(400);
    }
    const limited = await api.call('POST', '/api/me/password', { token, body: { current_password: 'correct-horse-1', new_password: 'brand-new-pass' } });
    expect(limited.status).toBe(429);
    expect((await api.call('POST', '/api/auth/login', { body: { username: 'asha', password: 'correct-horse-1' } })).status).toBe(429);
  });

  it('successful logins do not count as failures', async () => {
    api = await startApi({ env: { PHONE_VERIFICATION: 'off' } });
    await registered(api, '+919876543210', 'asha');
    for (let i = 0; i < 12; i++) {
      expect((await api.call('POST', '/api/auth/login', { body: { username: 'asha', password: 'correct-horse-1' } })).status).toBe(200);
    }
  });
});

describe('health', () => {
  it('/healthz is 200; /readyz is 200 unless a check is down (503), "disabled" is fine', async () => {
    api = await startApi();
    expect((await api.call('GET', '/healthz')).body).toMatchObject({ status: 'ok' });
    let r = await api.call('GET', '/readyz');
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ status: 'ready', checks: { db: 'up', ari: 'disabled', smpp: 'disabled' } });
    api.health.ari = 'up';
    api.health.smpp = 'down';
    r = await api.call('GET', '/readyz');
    expect(r.status).toBe(503);
    expect(r.body).toEqual({ status: 'not_ready', checks: { db: 'up', ari: 'up', smpp: 'down' } });
    api.health.smpp = 'up';
    api.health.db = 'down';
    expect((await api.call('GET', '/readyz')).status).toBe(503);
    api.health.db = 'up';
    expect((await api.call('GET', '/readyz')).body.status).toBe('ready');
  });
});

describe('docs', () => {
  it('/docs serves Swagger UI and the OpenAPI document lists every route with its schemas', async () => {
    api = await startApi();
    const ui = await api.call('GET', '/docs');
    expect(ui.status).toBe(200);
    expect(ui.headers.get('content-type')).toMatch(/text\/html/);
    expect(ui.text).toMatch(/swagger/i);
    const doc = await api.call('GET', '/docs/json');
    expect(doc.status).toBe(200);
    expect(doc.body.openapi).toMatch(/^3\./);
    const paths = doc.body.paths as Record<string, Record<string, any>>;
    const expected: Array<[string, string]> = [
      ['post', '/api/auth/register'],
      ['post', '/api/auth/link-ivr'],
      ['post', '/api/auth/verify'],
      ['post', '/api/auth/verify/resend'],
      ['post', '/api/auth/password-reset'],
      ['post', '/api/auth/login'],
      ['post', '/api/me/password'],
      ['get', '/api/me'],
      ['patch', '/api/me'],
      ['get', '/api/me/appointments'],
      ['post', '/api/me/appointments'],
      ['post', '/api/me/appointments/{id}/cancel'],
      ['get', '/api/clinics'],
      ['get', '/api/doctors/{id}/slots'],
      ['get', '/api/admin/clinics'],
      ['post', '/api/admin/closed-dates'],
      ['patch', '/api/admin/doctors/{id}'],
      ['get', '/api/admin/appointments'],
      ['post', '/api/admin/appointments'],
      ['get', '/healthz'],
      ['get', '/readyz'],
    ];
    for (const [method, path] of expected) expect(paths[path]?.[method], `${method} ${path}`).toBeDefined();
    const register = paths['/api/auth/register']!['post'];
    expect(Object.keys(register.responses)).toEqual(expect.arrayContaining(['201', '202', '400', '409', '429']));
    expect(register.requestBody.content['application/json'].schema.required).toEqual(
      expect.arrayContaining(['name', 'age', 'phone_number', 'username', 'password']),
    );
    expect(paths['/api/me']!['get'].security).toEqual([{ bearerAuth: [] }]);
  });
});

describe('the patient pages', () => {
  it('serves web/ at / with an index fallback for page URLs, while /api stays JSON', async () => {
    const web = mkdtempSync(join(tmpdir(), 'medq-web-'));
    writeFileSync(join(web, 'index.html'), '<!doctype html><title>MedQ</title>');
    writeFileSync(join(web, 'app.js'), 'console.log(1)');
    try {
      api = await startApi({ webRoot: web });
      const root = await api.call('GET', '/');
      expect(root.status).toBe(200);
      expect(root.text).toContain('<title>MedQ</title>');
      expect((await api.call('GET', '/app.js')).text).toBe('console.log(1)');
      const page = await api.call('GET', '/appointments', { headers: { accept: 'text/html' } });
      expect(page.status).toBe(200);
      expect(page.text).toContain('<title>MedQ</title>');
      expect((await api.call('GET', '/missing.js')).status).toBe(404);
      const apiMiss = await api.call('GET', '/api/nothing');
      expect(apiMiss.status).toBe(404);
      expect(apiMiss.body.error).toBe('not_found');
      expect((await api.call('GET', '/api/clinics')).status).toBe(200);
      expect((await api.call('GET', '/docs/json')).status).toBe(200);
    } finally {
      rmSync(web, { recursive: true, force: true });
    }
  });

  it('without a web/ folder, / is a JSON 404', async () => {
    api = await startApi();
    const r = await api.call('GET', '/');
    expect(r.status).toBe(404);
    expect(r.body.error).toBe('not_found');
  });
});
