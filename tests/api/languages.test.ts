// The clinic's languages and their page strings over real HTTP (SPEC §6, issue 13).
import { afterEach, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/api/app.js';
import { ConfigError, loadConfig } from '../../src/config/index.js';
import { createLogger } from '../../src/shared/logger.js';
import { createTestDb } from '../support/db.js';
import { person, startApi, type TestApi } from './helpers.js';

let api: TestApi | undefined;
afterEach(async () => {
  await api?.close();
  api = undefined;
});

describe('GET /api/languages', () => {
  it('answers the configured languages, the first the default, each named in its own language; cacheable', async () => {
    api = await startApi({ env: { LANGUAGES: 'en,hi' } });
    const r = await api.call('GET', '/api/languages');
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ default: 'en', languages: [{ code: 'en', name: 'English' }, { code: 'hi', name: 'हिन्दी' }] });
    expect(r.headers.get('cache-control')).toMatch(/^public, max-age=\d+$/);
  });

  it('with Hindi first, Hindi is the default; with the default setting only English is offered', async () => {
    api = await startApi({ env: { LANGUAGES: 'hi,en' } });
    expect((await api.call('GET', '/api/languages')).body.default).toBe('hi');
    await api.close();
    api = await startApi();
    expect((await api.call('GET', '/api/languages')).body).toEqual({ default: 'en', languages: [{ code: 'en', name: 'English' }] });
  });
});

describe('GET /api/languages/:code/web', () => {
  it("answers a language's page strings, with an ETag a browser can revalidate", async () => {
    api = await startApi({ env: { LANGUAGES: 'en,hi' } });
    const r = await api.call('GET', '/api/languages/hi/web');
    expect(r.status).toBe(200);
    expect(r.body.language).toBe('hi');
    expect(r.body.texts['login.title']).toBe('लॉग इन करें');
    expect(r.body.texts['meta.intl_locale']).toBe('hi-IN');
    expect(r.headers.get('cache-control')).toMatch(/^public/);
    const etag = r.headers.get('etag')!;
    expect(etag).toMatch(/^".+"$/);
    const again = await api.call('GET', '/api/languages/hi/web', { headers: { 'if-none-match': etag } });
    expect(again.status).toBe(304);
    expect((await api.call('GET', '/api/languages/en/web')).body.texts['login.title']).toBe('Log in');
    // Everything else under /api stays uncacheable.
    expect((await api.call('GET', '/api/clinics')).headers.get('cache-control')).toBe('no-store');
  });

  it('a language the clinic does not offer is a 404 with a sentence naming the ones it does', async () => {
    api = await startApi({ env: { LANGUAGES: 'en,hi' } });
    const r = await api.call('GET', '/api/languages/fr/web');
    expect(r.status).toBe(404);
    expect(r.body).toEqual({ error: 'not_found', message: 'This clinic does not offer the language "fr". It offers: en, hi.' });
    expect(r.headers.get('cache-control')).toBe('no-store');
    await api.close();
    // Hindi texts exist, but a clinic with LANGUAGES=en does not offer them.
    api = await startApi();
    const hi = await api.call('GET', '/api/languages/hi/web');
    expect(hi.status).toBe(404);
    expect(hi.body.message).toBe('This clinic does not offer the language "hi". It offers: en.');
  });

  it('the pages may send their language with a code-SMS request: the API takes it (registration works)', async () => {
    api = await startApi({ env: { LANGUAGES: 'en,hi', PHONE_VERIFICATION: 'on' } });
    const r = await api.call('POST', '/api/auth/register', { body: { ...person('+919812300001', 'lang.person'), language: 'hi' } });
    expect(r.status).toBe(202);
    const resend = await api.call('POST', '/api/auth/verify/resend', { body: { verification_id: r.body.verification_id, language: 'hi' } });
    expect(resend.status).toBe(202);
  });
});

describe('a language without page strings', () => {
  it('the configuration refuses it at start, naming the missing file', () => {
    expect(() => loadConfig({ NODE_ENV: 'test', LANGUAGES: 'en,xx' })).toThrow(/^LANGUAGES: "xx" has no ivr texts \(src\/locales\/xx\/ivr\.json\); languages with every text: en, hi$/);
    expect(() => loadConfig({ NODE_ENV: 'test', LANGUAGES: 'en,hi,en' })).toThrow(/^LANGUAGES: names a language twice$/);
  });

  it('refuses to build the API with one line naming LANGUAGES and the missing file', () => {
    const t = createTestDb();
    try {
      let error: unknown;
      try {
        buildApp({
          ctx: t.ctx,
          config: { ...t.config, languages: ['en', 'xx'] },
          logger: createLogger('silent'),
          health: { db: () => 'up', ari: () => 'disabled', smpp: () => 'disabled' },
        });
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as Error).message).toMatch(/^LANGUAGES: "xx" has no page texts: add src\/locales\/xx\/web\.json or remove it/);
      expect((error as Error).message).not.toMatch(/\n/);
    } finally {
      t.close();
    }
  });
});
