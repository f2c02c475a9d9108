// A randomised sweep of bad input over every route: bodies, params and query strings that are
// wrong in every way we could think of, as anonymous, patient and staff. Nothing may answer 5xx,
// and every 4xx must be the JSON error shape. The seed is printed so a failure can be replayed
// (MEDQ_FUZZ_SEED=… npx vitest run tests/api/fuzz.test.ts).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ivrBook, registered, staffToken, startApi, type TestApi } from './helpers.js';

const SEED = Number(process.env['MEDQ_FUZZ_SEED'] ?? Date.now() % 1_000_000);
const ROUNDS_PER_ROUTE = 24;

function prng(seed: number) {
  let s = seed >>> 0 || 1;
  return () => {
    // xorshift32
    s ^= s << 13;
    s >>>= 0;
    s ^= s >> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 0x100000000;
  };
}
const rand = prng(SEED);
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;

const STRINGS = [
  '',
  ' ',
  'a',
  'x'.repeat(300),
  '😀🏥',
  '\u0000',
  '\u202e',
  '<script>alert(1)</script>',
  "' OR 1=1 --",
  '../../etc/passwd',
  '%00',
  '+91 98765 43210',
  ' 919876543210',
  '9876543210',
  '+919000000900',
  '2026-11-30',
  '2026-02-30',
  '0000-00-00',
  '09:00',
  '25:99',
  '9:00',
  'completed',
  'no_show',
  'asha',
  'Asha Rao',
  'correct-horse-1',
  '000000',
  '123456',
  'Asia/Kolkata',
  'Mars/Base',
  '00000000-0000-0000-0000-000000000000',
  '__proto__',
  'constructor',
  'null',
  'true',
  '1e309',
];
const NUMBERS = [0, -1, 1, 2, 3, 7, 1.5, -0, 1e308, -1e308, 2 ** 31, 2 ** 53 + 1, 130, 131, 999999];

function value(depth = 0): unknown {
  const r = rand();
  if (r < 0.35) return pick(STRINGS);
  if (r < 0.6) return pick(NUMBERS);
  if (r < 0.68) return rand() < 0.5;
  if (r < 0.75) return null;
  if (depth > 2) return pick(STRINGS);
  if (r < 0.87) return Array.from({ length: Math.floor(rand() * 3) }, () => value(depth + 1));
  return { [pick(STRINGS)]: value(depth + 1), __proto__x: value(depth + 1) };
}

const RAW_BODIES = ['{', '}', '[', '{"a":', 'nul', '\u0000', '{"a":1}{"b":2}', '\ufeff{}', '{"__proto__":{"admin":true}}', '1'.repeat(500), '"', "{'x':1}"];

function body(fields: readonly string[]): { body?: unknown; raw?: string; headers?: Record<string, string> } {
  const r = rand();
  if (r < 0.1) return { raw: pick(RAW_BODIES), headers: { 'content-type': 'application/json' } };
  if (r < 0.15) return { raw: 'a=1&b=2', headers: { 'content-type': pick(['application/x-www-form-urlencoded', 'text/plain', 'application/xml', 'multipart/form-data; boundary=x']) } };
  if (r < 0.2) return {};
  if (r < 0.3) return { body: value() };
  const out: Record<string, unknown> = {};
  for (const f of fields) if (rand() < 0.75) out[f] = value();
  if (rand() < 0.2) out[pick(STRINGS)] = value();
  return { body: out };
}

const PARAMS = ['0', '-1', 'abc', '1.5', '99999999999999999999', '%00', '%2e%2e', '1e3', '%20%31', '0x10', '%EF%BC%91', '1', '2', '3', '%ZZ', 'null'];

function query(keys: readonly string[]): string {
  if (rand() < 0.1) return pick(['?%', '?=', '?&&&', '?date=%ZZ', '?date[]=1&date[]=2', '?date=2026-11-30&date=2026-12-01', '?' + 'x'.repeat(3000)]);
  const parts: string[] = [];
  for (const k of keys) if (rand() < 0.7) parts.push(`${k}=${encodeURIComponent(String(value()))}`);
  if (rand() < 0.2) parts.push(`${encodeURIComponent(pick(STRINGS))}=${encodeURIComponent(pick(STRINGS))}`);
  return parts.length ? `?${parts.join('&')}` : '';
}

type Who = 'anyone' | 'patient' | 'staff';
const ROUTES: Array<{ method: string; path: string; fields?: string[]; query?: string[]; who: Who }> = [
  { method: 'POST', path: '/api/auth/register', fields: ['name', 'age', 'phone_number', 'username', 'password'], who: 'anyone' },
  { method: 'POST', path: '/api/auth/link-ivr', fields: ['name', 'age', 'phone_number', 'username', 'password'], who: 'anyone' },
  { method: 'POST', path: '/api/auth/verify', fields: ['verification_id', 'code'], who: 'anyone' },
  { method: 'POST', path: '/api/auth/verify/resend', fields: ['verification_id'], who: 'anyone' },
  { method: 'POST', path: '/api/auth/password-reset', fields: ['phone_number', 'new_password'], who: 'anyone' },
  { method: 'POST', path: '/api/auth/login', fields: ['username', 'phone_number', 'password'], who: 'anyone' },
  { method: 'POST', path: '/api/me/password', fields: ['current_password', 'new_password', 'name', 'age', 'username'], who: 'patient' },
  { method: 'GET', path: '/api/me', who: 'patient' },
  { method: 'PATCH', path: '/api/me', fields: ['name', 'age', 'language'], who: 'patient' },
  { method: 'GET', path: '/api/me/appointments', query: ['limit'], who: 'patient' },
  { method: 'POST', path: '/api/me/appointments', fields: ['doctor_id', 'date', 'time', 'patient_id'], who: 'patient' },
  { method: 'POST', path: '/api/me/appointments/:id/cancel', who: 'patient' },
  { method: 'GET', path: '/api/clinics', query: ['x'], who: 'anyone' },
  { method: 'GET', path: '/api/doctors/:id/slots', query: ['date'], who: 'anyone' },
  { method: 'GET', path: '/api/admin/clinics', who: 'staff' },
  { method: 'POST', path: '/api/admin/clinics', fields: ['name', 'did', 'timezone'], who: 'staff' },
  { method: 'PATCH', path: '/api/admin/clinics/:id', fields: ['name', 'did', 'timezone'], who: 'staff' },
  { method: 'GET', path: '/api/admin/doctors', query: ['clinic_id'], who: 'staff' },
  { method: 'POST', path: '/api/admin/doctors', fields: ['clinic_id', 'name', 'specialty', 'display_order'], who: 'staff' },
  { method: 'PATCH', path: '/api/admin/doctors/:id', fields: ['name', 'specialty', 'display_order', 'active', 'cancel_bookings'], who: 'staff' },
  { method: 'GET', path: '/api/admin/doctors/:id/schedules', who: 'staff' },
  { method: 'PUT', path: '/api/admin/doctors/:id/schedules', fields: ['schedules'], who: 'staff' },
  { method: 'GET', path: '/api/admin/closed-dates', query: ['clinic_id', 'from'], who: 'staff' },
  { method: 'POST', path: '/api/admin/closed-dates', fields: ['clinic_id', 'doctor_id', 'date', 'reason', 'cancel_bookings'], who: 'staff' },
  { method: 'DELETE', path: '/api/admin/closed-dates/:id', who: 'staff' },
  { method: 'GET', path: '/api/admin/appointments', query: ['date', 'doctor_id'], who: 'staff' },
  { method: 'POST', path: '/api/admin/appointments', fields: ['phone_number', 'doctor_id', 'date', 'time', 'name'], who: 'staff' },
  { method: 'POST', path: '/api/admin/appointments/:id/cancel', who: 'staff' },
  { method: 'POST', path: '/api/admin/appointments/:id/outcome', fields: ['outcome'], who: 'staff' },
  { method: 'POST', path: '/api/admin/appointments/:id/arrived', who: 'staff' },
  { method: 'POST', path: '/api/admin/doctors/:id/queue/next', fields: ['token'], who: 'staff' },
  { method: 'GET', path: '/api/clinics/:id/queue', query: ['x'], who: 'anyone' },
  { method: 'GET', path: '/healthz', who: 'anyone' },
  { method: 'GET', path: '/readyz', who: 'anyone' },
];

let api: TestApi;
const tokens: Record<Who, string | undefined> = { anyone: undefined, patient: undefined, staff: undefined };
beforeAll(async () => {
  api = await startApi({ env: { PHONE_VERIFICATION: 'off' } });
  tokens.patient = (await registered(api, '+919876543210', 'asha')).token;
  tokens.staff = await staffToken(api);
  await ivrBook(api, '+919811111111', '09:00');
});
afterAll(async () => api?.close());

describe(`bad-input sweep (seed ${SEED})`, () => {
  it(`${ROUTES.length} routes × ${ROUNDS_PER_ROUTE} random requests: never 5xx, always the error shape`, async () => {
    let sent = 0;
    const statuses = new Map<number, number>();
    for (const route of ROUTES) {
      for (let i = 0; i < ROUNDS_PER_ROUTE; i++) {
        const path = route.path.replace(':id', pick(PARAMS)) + (route.query || rand() < 0.2 ? query(route.query ?? []) : '');
        // fetch cannot send a body with GET; every other method sometimes gets one it does not expect.
        const b = route.fields || (route.method !== 'GET' && rand() < 0.3) ? body(route.fields ?? []) : {};
        // Mostly the right caller, so the handlers themselves are exercised; sometimes the wrong one.
        const who: Who = rand() < 0.85 ? route.who : pick(['anyone', 'patient', 'staff'] as const);
        const headers: Record<string, string> = { ...b.headers, 'x-forwarded-for': `10.9.${Math.floor(rand() * 250)}.${Math.floor(rand() * 250)}` };
        const token = tokens[who];
        const r = await api.call(route.method, path, { ...(b.body !== undefined ? { body: b.body } : {}), ...(b.raw !== undefined ? { raw: b.raw } : {}), headers, ...(token ? { token } : {}) });
        sent++;
        statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
        const what = `${route.method} ${path} ${JSON.stringify(b).slice(0, 300)} as ${who} → ${r.status} ${r.text.slice(0, 300)}`;
        expect(r.status, what).toBeLessThan(500);
        if (r.status >= 400) {
          expect(typeof r.body?.error, what).toBe('string');
          expect(typeof r.body?.message, what).toBe('string');
          expect(r.text, what).not.toMatch(/\n\s+at /);
        }
      }
    }
    expect(sent).toBeGreaterThanOrEqual(600);
    // The sweep must reach past validation sometimes, not only bounce off it.
    expect([...statuses.keys()].some((s) => s >= 200 && s < 300)).toBe(true);
    console.log(`fuzz seed ${SEED}: ${sent} requests`, Object.fromEntries([...statuses].sort((a, b) => a[0] - b[0])));
  }, 120_000);
});
