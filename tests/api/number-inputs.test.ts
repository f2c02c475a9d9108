// Numbers that arrive as text. Query strings and params are coerced to the schema's types, and ajv
// coerces any text JavaScript reads as a number: "1e309" became Infinity, which passed integer and
// maximum checks and ended in a 500 (found by the fuzz sweep, seed 826959). Each input here is a
// fixed regression: a 400 with a sentence naming the field, and nothing changed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nonFinitePath, schemaHasNumbers } from '../../src/api/finite-numbers.js';
import { accountRow, registered, startApi, staffToken, type TestApi } from './helpers.js';

let api: TestApi;
let token: string;
let staff: string;

beforeAll(async () => {
  api = await startApi({ env: { PHONE_VERIFICATION: 'off' } });
  token = (await registered(api, '+919812340001', 'numbers.person')).token;
  staff = await staffToken(api);
});
afterAll(() => api.close());

const HUGE = ['1e309', '-1e309', 'Infinity', '-Infinity'];

describe('numbers too large to be numbers', () => {
  it.each(HUGE)('PATCH /api/me with age %s: 400 on body.age, the age unchanged', async (age) => {
    const r = await api.call('PATCH', '/api/me', { token, body: { age } });
    expect(r.status).toBe(400);
    expect(r.body.error).toBe('validation_error');
    expect(r.body.details).toEqual([{ field: 'body.age', message: 'must be a finite number' }]);
    expect(r.body.message).toMatch(/age/);
    expect(accountRow(api, '+919812340001')).toBeDefined();
    expect((await api.call('GET', '/api/me', { token })).body.age).toBe(34);
  });

  it('POST /api/me/password with age 1e309: 400, and the old password still logs in', async () => {
    const r = await api.call('POST', '/api/me/password', {
      token,
      body: { current_password: 'correct-horse-1', new_password: 'another-horse-2', age: '1e309' },
    });
    expect(r.status).toBe(400);
    expect(r.body.details).toEqual([{ field: 'body.age', message: 'must be a finite number' }]);
    const login = await api.call('POST', '/api/auth/login', { body: { username: 'numbers.person', password: 'correct-horse-1' } });
    expect(login.status).toBe(200);
  });

  it('registration with age 1e309: 400 and no account made', async () => {
    const r = await api.call('POST', '/api/auth/register', {
      body: { name: 'Huge Age', age: '1e309', phone_number: '+919812340002', username: 'huge.age', password: 'correct-horse-1' },
    });
    expect(r.status).toBe(400);
    expect(r.body.details[0].field).toBe('body.age');
    expect(accountRow(api, '+919812340002')).toBeUndefined();
  });

  it('an id in the path of 1e309: 400 on params.id, not a 500 or a 404', async () => {
    const r = await api.call('POST', '/api/me/appointments/1e309/cancel', { token });
    expect(r.status).toBe(400);
    expect(r.body.details).toEqual([{ field: 'params.id', message: 'must be a finite number' }]);
  });

  it('a staff capacity of 1e309 in a JSON string: 400, the schedule unchanged', async () => {
    const before = await api.call('GET', '/api/admin/doctors/1/schedules', { token: staff });
    expect(before.body.schedules.length).toBeGreaterThan(0);
    const r = await api.call('PUT', '/api/admin/doctors/1/schedules', {
      token: staff,
      body: { schedules: [{ weekday: 1, start: '09:00', end: '10:00', slot_minutes: 15, capacity: '1e309' }] },
    });
    expect(r.status).toBe(400);
    expect(r.body.details).toEqual([{ field: 'body.schedules.0.capacity', message: 'must be a finite number' }]);
    expect((await api.call('GET', '/api/admin/doctors/1/schedules', { token: staff })).body).toEqual(before.body);
  });

  it('ordinary numbers sent as text are still read: age "41" sets 41', async () => {
    const r = await api.call('PATCH', '/api/me', { token, body: { age: '41' } });
    expect(r.status).toBe(200);
    expect(r.body.age).toBe(41);
  });
});

describe('the pieces', () => {
  it('finds a non-finite number at any depth and names where', () => {
    expect(nonFinitePath({ a: 1, b: [2, { c: Infinity }] })).toBe('/b/1/c');
    expect(nonFinitePath({ a: 1, b: 'x', c: null, d: [3] })).toBeUndefined();
    expect(nonFinitePath(Number.NaN)).toBe('');
  });

  it('walks only validators whose schema accepts a number', () => {
    expect(schemaHasNumbers({ type: 'object', properties: { name: { type: 'string' } } })).toBe(false);
    expect(schemaHasNumbers({ type: 'object', properties: { age: { anyOf: [{ type: 'integer' }, { type: 'null' }] } } })).toBe(true);
    expect(schemaHasNumbers({ type: ['string', 'number'] })).toBe(true);
  });
});
