// Staff see which appointments got their reminder SMS: the admin day list's reminder_sent and
// reminder_state (SPEC §7 reminders, issue 12).
import { afterAll, beforeAll, expect, it } from 'vitest';
import { queueDueReminders } from '../../src/sync/index.js';
import { ivrBook, staffToken, startApi, type TestApi } from './helpers.js';

let api: TestApi;
let staff: string;
beforeAll(async () => {
  api = await startApi({ env: { PHONE_VERIFICATION: 'off' } });
  staff = await staffToken(api);
});
afterAll(async () => api?.close());

it('the day list says, per appointment, whether its reminder was queued and in which state', async () => {
  const reminded = await ivrBook(api, '+919833300001', '09:00', 1, '2026-12-01');
  const notYet = await ivrBook(api, '+919833300002', '12:00', 1, '2026-12-01');
  api.t.clock.set('2026-11-30T09:00:00+05:30');
  expect(queueDueReminders(api.t.ctx, { reminderHours: 24, repliesReachUs: false })).toEqual({ queued: 1, appointmentIds: [reminded.appointmentId] });

  const day = await api.call('GET', '/api/admin/appointments?date=2026-12-01&doctor_id=1', { token: staff });
  expect(day.status).toBe(200);
  const byId = new Map(day.body.appointments.map((a: any) => [a.id, a]));
  expect(byId.get(reminded.appointmentId)).toMatchObject({ time: '09:00', reminder_sent: true, reminder_state: 'queued' });
  expect(byId.get(notYet.appointmentId)).toMatchObject({ time: '12:00', reminder_sent: false, reminder_state: null });
  expect(api.sms('+919833300001').at(-1)).toMatchObject({
    kind: 'reminder',
    body: 'MedQ: reminder, Dr Sharma on Tue 1 Dec at 09:00, token S-1.',
  });
});
