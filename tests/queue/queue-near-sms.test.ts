// "Your turn is near" end to end (SPEC §7, §11): reception calls tokens over real HTTP, the sms
// role sends the outbox to a real SMPP peer (node-smpp's server), and each waiting patient's
// phone receives the text exactly once — however often the queue moves or a token is called
// again — never for a cancelled booking, and never on a phone that opted out.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSmsRole, type SmsRole } from '../../src/sms/index.js';
import { ivrBook, staffToken, startApi, type TestApi } from '../api/helpers.js';
import { TestSmsc } from '../sms/smsc.js';
import { FAST, captureLogs, smsConfig } from '../sms/helpers.js';

const phone = (n: number) => `+9198200000${String(n).padStart(2, '0')}`;
const TIMES = ['09:00', '09:15', '09:30', '09:45', '10:00', '10:15'];

describe('"queue near" SMS over SMPP', () => {
  let api: TestApi;
  let smsc: TestSmsc;
  let role: SmsRole;
  let staff: string;

  beforeAll(async () => {
    api = await startApi();
    staff = await staffToken(api);
    smsc = await TestSmsc.start();
    role = startSmsRole({ db: api.t.db, config: smsConfig({ SMPP_URL: smsc.url() }), logger: captureLogs().logger, tuning: FAST });
    expect(await role.whenUp(5_000)).toBe(true);
  });
  afterAll(async () => {
    await role?.stop();
    await smsc?.close();
    await api?.close();
  });

  const queueTexts = () => smsc.messages().filter((m) => m.text.includes('your turn at'));
  const next = async (token?: string) => {
    const r = await api.call('POST', '/api/admin/doctors/1/queue/next', { token: staff, ...(token ? { body: { token } } : {}) });
    expect(r.status).toBe(200);
    return r.body.now_serving as string;
  };

  it('reaches each waiting patient once when two tokens are before theirs; never an opted-out phone or a cancelled booking', async () => {
    const ids: number[] = [];
    for (let n = 1; n <= 6; n++) ids.push((await ivrBook(api, phone(n), TIMES[n - 1]!)).appointmentId);
    // S-4's phone replied STOP earlier (the reminders side writes this table); S-6 is cancelled.
    api.t.db.$client.prepare('insert into sms_opt_outs (phone) values (?)').run(phone(4));
    expect((await api.call('POST', `/api/admin/appointments/${ids[5]}/cancel`, { token: staff })).status).toBe(200);
    await role.drainOnce(); // welcome, confirmation and cancellation texts out of the way
    expect(queueTexts()).toEqual([]);

    const served: string[] = [];
    served.push(await next()); // S-1: S-2 and S-3 are near
    await role.drainOnce();
    served.push(await next()); // S-2: S-4 would be, but opted out
    served.push(await next('S-1')); // S-1 called again: nothing new
    served.push(await next()); // the next uncalled after S-1 is S-3: now S-5 is near
    served.push(await next()); // S-4: S-5 already told
    await role.drainOnce();
    await role.drainOnce();
    expect(served).toEqual(['S-1', 'S-2', 'S-1', 'S-3', 'S-4']);

    const got = queueTexts();
    expect(got.map((m) => m.dest).sort()).toEqual([phone(2), phone(3), phone(5)].map((p) => p.slice(1)).sort());
    expect(got.find((m) => m.dest === phone(2).slice(1))!.text).toBe(
      'MedQ: your turn at MedQ Demo Clinic is near. Now serving S-1; your token S-2 with Dr Sharma.',
    );
    expect(got.find((m) => m.dest === phone(5).slice(1))!.text).toBe(
      'MedQ: your turn at MedQ Demo Clinic is near. Now serving S-3; your token S-5 with Dr Sharma.',
    );
    // Nothing for the opted-out phone or the cancelled booking; each outbox row sent once.
    expect(smsc.messages().filter((m) => m.dest === phone(4).slice(1) || m.dest === phone(6).slice(1)).map((m) => m.text)).not.toContainEqual(
      expect.stringContaining('your turn'),
    );
    const rows = api.sms().filter((s) => s.kind === 'queue_near');
    expect(rows.map((r) => r.dedupeKey)).toEqual([`queue_near:${ids[1]}`, `queue_near:${ids[2]}`, `queue_near:${ids[4]}`]);
    for (const r of rows) expect(['sent', 'delivered']).toContain(r.state);
    expect(got).toHaveLength(3);
  });
});
