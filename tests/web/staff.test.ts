// The reception pages (/staff) and the waiting-room screen (/display/:clinicId) in a real Chromium
// against the real API and a real SQLite file: what the desk and the waiting room see and do.
// The queue steps use desk-queue's routes (POST /api/admin/doctors/:id/queue/next,
// POST /api/admin/appointments/:id/arrived, GET /api/clinics/:id/queue[/events]).
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { and, desc, eq } from 'drizzle-orm';
import type { Browser, Page } from 'playwright-core';
import { accounts, appointments, smsOutbox } from '../../src/db/schema.js';
import { activeDoctors, bookByPhone, hashPassword, listClinics, registerAccount } from '../../src/sync/index.js';
import { createStaffAccount } from '../../src/sync/admin.js';
import { focused, haveChromium, inCi, launchBrowser, openTab, SCREENSHOTS, serve, unlabelledFields, type Served, type Tab } from './browser.js';

const STAFF = { username: 'reception', password: 'front-desk-2026' };
/** Two cores shared by many test runs: waits are generous, except the display's one-second promise. */
const poll = <T>(fn: () => T | Promise<T>) => expect.poll(fn, { timeout: 10_000 });
const SLOW = 120_000;

describe.skipIf(!haveChromium && !inCi)('reception pages and the waiting-room screen in Chromium', () => {
  let browser: Browser;
  let s: Served;
  let desk: Tab;
  const tabs: Tab[] = [];

  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
  });

  beforeEach(async () => {
    s = await serve();
    const made = createStaffAccount(s.t.ctx, { username: STAFF.username, phone: '+919000000900', name: 'Priya at Reception', passwordHash: await hashPassword(STAFF.password) });
    if (!made.ok) throw new Error(made.code);
    desk = await openTab(browser, s.base, { width: 1920, height: 1080 });
    tabs.push(desk);
  });

  afterEach(async () => {
    for (const tab of tabs.splice(0)) await tab.context.close();
    await s?.close();
  });

  const doctor = (name: string) => {
    const clinic = listClinics(s.t.ctx)[0]!;
    const d = activeDoctors(s.t.ctx, clinic.id).find((x) => x.name === name);
    if (!d) throw new Error(`no doctor ${name}`);
    return d;
  };

  async function phoneBooking(phone: string, doctorName: string, date: string, time: string, name?: string) {
    const r = await bookByPhone(s.t.ctx, { phone, doctorId: doctor(doctorName).id, date, time, ...(name ? { name } : {}) });
    if (!r.ok) throw new Error(`IVR booking failed: ${r.code}`);
    return r.value;
  }

  const heading = (page: Page) => page.getByRole('heading', { level: 1 });
  const doctorSection = (page: Page, name: string) => page.getByRole('region', { name: new RegExp(`^${name.replace('.', '\\.')}`) });
  const shot = (page: Page, name: string) => page.screenshot({ path: `${SCREENSHOTS}${name}.png`, fullPage: true });

  async function staffLogIn(page: Page) {
    await page.goto(`${s.base}/staff`);
    await poll(() => heading(page).textContent()).toBe('Staff log in');
    await page.getByLabel('Username').fill(STAFF.username);
    await page.getByLabel('Password').fill(STAFF.password);
    await page.getByRole('button', { name: 'Log in' }).click();
    await poll(() => heading(page).textContent()).toBe('Today, Monday 30 November 2026');
  }

  it('staff log in, mark an arrival, call next, and a second browser on the display shows the new token within a second', async () => {
    await phoneBooking('+919000000101', 'Dr. Sharma', '2026-11-30', '09:00', 'Ravi Kumar');
    await phoneBooking('+919000000102', 'Dr. Sharma', '2026-11-30', '09:15', 'Sita Devi');
    await phoneBooking('+919000000103', 'Dr. Patel', '2026-11-30', '10:00', 'Arjun Rao');
    const clinicId = listClinics(s.t.ctx)[0]!.id;

    // A patient account cannot use the reception pages.
    await desk.page.goto(`${s.base}/staff`);
    await desk.page.getByLabel('Username').fill('+919000000101');
    await desk.page.getByLabel('Password').fill('not-the-password');
    await desk.page.getByRole('button', { name: 'Log in' }).click();
    await poll(() => desk.page.locator('#login-form [data-form-alert]').isVisible()).toBe(true);

    await staffLogIn(desk.page);
    const sharma = doctorSection(desk.page, 'Dr. Sharma');
    await poll(() => sharma.locator('tbody tr').count()).toBe(2);
    const first = sharma.locator('tbody tr').first();
    expect(await first.innerText()).toMatch(/S-1[\s\S]*09:00[\s\S]*Ravi Kumar[\s\S]*Phone[\s\S]*Booked/);
    expect(await desk.page.locator('#staff-signed-in').textContent()).toBe('Signed in as Priya at Reception (staff)');

    // The waiting room: a second browser on the display page, no login.
    const room = await openTab(browser, s.base, { width: 1920, height: 1080 });
    tabs.push(room);
    await room.page.goto(`${s.base}/display/${clinicId}`);
    const boardToken = (name: string) => room.page.locator('.board-card', { has: room.page.getByRole('heading', { name }) }).locator('.board-token');
    await poll(() => boardToken('Dr. Sharma').textContent()).toBe('–');
    expect(await room.page.locator('#display-clinic').textContent()).toBe('MedQ Demo Clinic');
    // Never a patient's name or phone on the screen.
    expect(await room.page.locator('body').innerText()).not.toMatch(/Ravi|Sita|Arjun|9000000/);

    await first.getByRole('button', { name: 'Mark S-1 Ravi Kumar arrived' }).click();
    await poll(() => first.locator('.badge-status').textContent()).toBe('Arrived');
    expect(await desk.page.locator('#flash').textContent()).toBe('S-1 Ravi Kumar has arrived.');

    await sharma.getByRole('button', { name: 'Call next for Dr. Sharma' }).click();
    const called = Date.now();
    await expect.poll(() => boardToken('Dr. Sharma').textContent(), { timeout: 1000, interval: 50 }).toBe('S-1');
    expect(Date.now() - called).toBeLessThan(1000);
    await poll(() => sharma.locator('.now-serving-token').textContent()).toBe('S-1');
    expect(await boardToken('Dr. Patel').textContent()).toBe('–');

    // The next call moves on to S-2 (booked, not yet arrived): the display follows again.
    await sharma.getByRole('button', { name: 'Call next for Dr. Sharma' }).click();
    await expect.poll(() => boardToken('Dr. Sharma').textContent(), { timeout: 1000, interval: 50 }).toBe('S-2');

    await shot(desk.page, 'staff-today-1920');
    await shot(room.page, 'display-1920');
    await desk.page.setViewportSize({ width: 412, height: 915 });
    await room.page.setViewportSize({ width: 412, height: 915 });
    await shot(desk.page, 'staff-today-412');
    await shot(room.page, 'display-412');
    expect(desk.problems).toEqual([]);
    expect(room.problems).toEqual([]);
  }, SLOW);

  it('the waiting-room screen says it is reconnecting after a network drop and recovers by itself', async () => {
    await phoneBooking('+919000000401', 'Dr. Patel', '2026-11-30', '10:00', 'Nisha Verma');
    const clinicId = listClinics(s.t.ctx)[0]!.id;
    const room = await openTab(browser, s.base, { width: 1920, height: 1080 });
    tabs.push(room);
    await room.page.goto(`${s.base}/display/${clinicId}`);
    const patelToken = room.page.locator('.board-card', { has: room.page.getByRole('heading', { name: 'Dr. Patel' }) }).locator('.board-token');
    await poll(() => patelToken.textContent()).toBe('–');
    expect(await room.page.locator('#display-status').isVisible()).toBe(false);

    // The network drops: every connection is cut and, until it is back, the stream cannot reopen.
    await room.context.route('**/queue/events', (route) => route.abort('internetdisconnected'));
    s.app.server.closeAllConnections();
    await poll(() => room.page.locator('#display-status').isVisible()).toBe(true);
    expect(await room.page.locator('#display-status').textContent()).toBe('Reconnecting…');
    await shot(room.page, 'display-reconnecting-1920');

    // Back: the screen reconnects on its own and shows the next call.
    await room.context.unroute('**/queue/events');
    await poll(() => room.page.locator('#display-status').isVisible()).toBe(false);
    const login = await fetch(`${s.base}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: STAFF.username, password: STAFF.password }),
    });
    const { token } = (await login.json()) as { token: string };
    const next = await fetch(`${s.base}/api/admin/doctors/${doctor('Dr. Patel').id}/queue/next`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: '{}',
    });
    expect(next.status).toBe(200);
    await poll(() => patelToken.textContent()).toBe('P-1');
    // The cut stream and the refused reconnects are logged by the browser; nothing else may go wrong.
    expect(room.problems.filter((p) => !/queue\/events|ERR_INCOMPLETE_CHUNKED_ENCODING|ERR_INTERNET_DISCONNECTED/.test(p))).toEqual([]);
  }, SLOW);

  it('serves /staff and /display/:clinicId from web/; a wrong clinic number says so instead of spinning', async () => {
    const staff = await fetch(`${s.base}/staff`);
    expect(staff.status).toBe(200);
    expect(staff.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await staff.text()).toContain('<title>MedQ reception desk</title>');
    const slash = await fetch(`${s.base}/staff/`, { redirect: 'manual' });
    expect([slash.status, slash.headers.get('location')]).toEqual([302, '/staff']);
    const display = await fetch(`${s.base}/display/1`);
    expect(display.status).toBe(200);
    expect(await display.text()).toContain('id="display-board"');
    const bad = await fetch(`${s.base}/display/lobby`);
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: string }).error).toBe('validation_error');

    await desk.page.goto(`${s.base}/display/99`);
    await poll(() => desk.page.locator('#display-empty').textContent()).toBe("There is no clinic 99. Check the screen's address.");
    expect(await desk.page.locator('#display-status').isVisible()).toBe(false);
    expect(desk.problems).toEqual([]);
  }, SLOW);

  it('a walk-in booked at the desk for a phone that already has a web account lands on that account', async () => {
    const phone = '+919811122233';
    const made = registerAccount(s.t.ctx, { phone, name: 'Meera Iyer', age: 52, username: 'meera', passwordHash: await hashPassword('meera-password-1') });
    expect(made.ok).toBe(true);

    await staffLogIn(desk.page);
    await desk.page.getByRole('link', { name: 'Book for a caller' }).click();
    await poll(() => heading(desk.page).textContent()).toBe('Book for a caller');
    expect(await unlabelledFields(desk.page)).toEqual([]);
    const form = desk.page.locator('#desk-book-form');
    // The form explains its own problems before anything is sent.
    await form.getByRole('button', { name: 'Book' }).click();
    expect(await desk.page.locator('#desk-phone-error').textContent()).toBe("Enter the patient's mobile number.");

    await form.getByLabel("Patient's mobile number").fill('98111 22233');
    await form.getByLabel('Doctor').selectOption({ label: 'Dr. Patel (Paediatrics)' });
    await poll(() => form.getByLabel('Time').locator('option').count()).toBeGreaterThan(1);
    await form.getByLabel('Time').selectOption('10:40');
    await shot(desk.page, 'staff-book-1920');
    await form.getByRole('button', { name: 'Book' }).click();
    await poll(() => desk.page.locator('#flash').textContent()).toMatch(
      /^Booked Meera Iyer \(\+919811122233\) with Dr\. Patel on Mon 30 Nov 2026 at 10:40: token P-\d+\. The SMS is on its way\.$/,
    );
    const row = s.t.db.select().from(appointments).where(eq(appointments.personPhone, phone)).get()!;
    expect(row).toMatchObject({ channel: 'desk', status: 'booked', slotTime: '10:40' });
    // No second account for the phone: the booking joined Meera's.
    expect(s.t.db.select().from(accounts).where(eq(accounts.phone, phone)).all()).toHaveLength(1);

    // The desk's day list shows it as a desk booking.
    await desk.page.getByRole('link', { name: 'Today' }).click();
    const patel = doctorSection(desk.page, 'Dr. Patel');
    await poll(() => patel.locator('tbody tr').count()).toBe(1);
    expect(await patel.locator('tbody tr').innerText()).toMatch(/10:40[\s\S]*Meera Iyer[\s\S]*Desk[\s\S]*Booked/);

    // Meera logs in on the patient pages and finds it in her list.
    const patient = await openTab(browser, s.base);
    tabs.push(patient);
    await patient.page.goto(`${s.base}/#/login`);
    await patient.page.getByLabel('Username or phone number').fill('meera');
    await patient.page.locator('#view-login').getByLabel('Password', { exact: true }).fill('meera-password-1');
    await patient.page.getByRole('button', { name: 'Log in' }).click();
    await poll(() => heading(patient.page).textContent()).toBe('My appointments');
    await poll(() => patient.page.locator('#appt-list > li').count()).toBe(1);
    expect(await patient.page.locator('#appt-list > li').innerText()).toMatch(/Mon 30 Nov 2026[\s\S]*10:40[\s\S]*Dr\. Patel[\s\S]*Clinic booking/);

    await desk.page.setViewportSize({ width: 412, height: 915 });
    await desk.page.getByRole('link', { name: 'Book for a caller' }).click();
    await shot(desk.page, 'staff-book-412');
    expect(desk.problems).toEqual([]);
    expect(patient.problems).toEqual([]);
  }, SLOW);

  it('works from the keyboard alone: Tab order, Enter and Space on actions, a visible focus ring, every input labelled; cancelling asks first', async () => {
    await phoneBooking('+919000000201', 'Dr. Sharma', '2026-11-30', '09:00', 'Kavya Nair');
    await phoneBooking('+919000000202', 'Dr. Sharma', '2026-11-30', '09:15', 'Imran Khan');
    const page = desk.page;
    const press = (key: string) => page.keyboard.press(key);
    /** Tabs forward until the focused element's accessible name matches, at most `max` presses. */
    async function tabTo(name: RegExp, max = 40) {
      for (let i = 0; i < max; i++) {
        await press('Tab');
        const f = await focused(page);
        if (name.test(f.label || f.text)) return f;
      }
      throw new Error(`Tab never reached ${name}`);
    }

    await page.goto(`${s.base}/staff`);
    await poll(() => heading(page).textContent()).toBe('Staff log in');
    expect(await unlabelledFields(page)).toEqual([]);
    // From the page heading, Tab goes to username, then password, then the button; Enter submits.
    await press('Tab');
    expect((await focused(page)).id).toBe('login-id');
    await page.keyboard.type(STAFF.username);
    await press('Tab');
    expect((await focused(page)).id).toBe('login-password');
    await page.keyboard.type(STAFF.password);
    await press('Tab');
    const button = await focused(page);
    expect(button.text).toBe('Log in');
    expect(button.ring).toBe(true);
    await press('Enter');
    await poll(() => heading(page).textContent()).toBe('Today, Monday 30 November 2026');
    expect(await unlabelledFields(page)).toEqual([]);

    // The day's controls come first, then each doctor's "Call next", then that doctor's rows.
    const order: string[] = [];
    for (let i = 0; i < 12; i++) {
      await press('Tab');
      const f = await focused(page);
      expect(f.ring, `focus ring on ${f.label || f.text || f.id}`).toBe(true);
      const name = f.label || f.text || f.id;
      // A date input takes one Tab per part (day, month, year): one stop in the order.
      if (order.at(-1) !== name) order.push(name);
    }
    expect(order.slice(0, 7)).toEqual([
      'today-date',
      'Refresh',
      'Waiting-room screen',
      'Call next for Dr. Sharma',
      'Mark S-1 Kavya Nair arrived',
      'Call S-1 now',
      'Mark S-1 Kavya Nair completed',
    ]);

    // Enter on "arrived": the row updates and focus stays in that row.
    await page.locator('#today-date').focus();
    await tabTo(/^Mark S-1 Kavya Nair arrived$/);
    await press('Enter');
    await poll(() => page.locator('#flash').textContent()).toBe('S-1 Kavya Nair has arrived.');
    await poll(async () => (await focused(page)).label).toBe('Call S-1 now');

    // Space on "Cancel": a confirm step whose safe choice has focus; Escape keeps the booking.
    await page.locator('#today-date').focus();
    await tabTo(/^Cancel S-2 Imran Khan$/);
    await press('Space');
    const dialog = page.getByRole('dialog', { name: 'Cancel this booking?' });
    await poll(() => dialog.isVisible()).toBe(true);
    expect(await dialog.textContent()).toContain('S-2 Imran Khan with Dr. Sharma at 09:15 on Monday 30 November 2026');
    expect((await focused(page)).text).toBe('Keep the booking');
    await shot(page, 'staff-cancel-dialog-1920');
    await press('Escape');
    await poll(() => dialog.isVisible()).toBe(false);
    expect((await focused(page)).label).toBe('Cancel S-2 Imran Khan');
    expect(s.t.db.select().from(appointments).where(eq(appointments.personPhone, '+919000000202')).get()!.status).toBe('booked');
    // Again, and this time Shift+Tab to "Yes" and Enter: cancelled, with the cancellation SMS —
    // also when "Keep" and "Cancel" came so fast that the first close event was still queued.
    await press('Enter');
    await poll(() => dialog.isVisible()).toBe(true);
    await page.evaluate(`document.getElementById('confirm-no').click();
      document.querySelector('button[aria-label="Cancel S-2 Imran Khan"]').click();`);
    await poll(() => dialog.isVisible()).toBe(true);
    expect((await focused(page)).text).toBe('Keep the booking');
    await press('Shift+Tab');
    expect((await focused(page)).text).toBe('Yes, cancel and send the SMS');
    await press('Enter');
    await poll(() => page.locator('#flash').textContent()).toBe('Cancelled S-2 Imran Khan; the SMS is on its way.');
    const imran = doctorSection(page, 'Dr. Sharma').locator('tbody tr').nth(1);
    await poll(() => imran.locator('.badge-status').textContent()).toBe('Cancelled');
    expect(
      s.t.db.select().from(smsOutbox).where(and(eq(smsOutbox.phone, '+919000000202'), eq(smsOutbox.kind, 'cancellation'))).all(),
    ).toHaveLength(1);

    // Schedules and closed dates, by keyboard too: every input labelled.
    await page.getByRole('link', { name: 'Schedules and closed dates' }).focus();
    await press('Enter');
    await poll(() => heading(page).textContent()).toBe('Schedules and closed dates');
    await poll(() => page.locator('#schedule-rows fieldset').count()).toBeGreaterThan(0);
    expect(await unlabelledFields(page)).toEqual([]);
    await shot(page, 'staff-schedules-1920');
    await page.setViewportSize({ width: 412, height: 915 });
    await shot(page, 'staff-schedules-412');
    expect(desk.problems).toEqual([]);
  }, SLOW);

  it('closing a date that has bookings asks: keep them (nothing changes) or cancel them and notify each patient', async () => {
    await phoneBooking('+919000000301', 'Dr. Iyer', '2026-12-02', '11:00', 'Lata Menon');
    await staffLogIn(desk.page);
    const page = desk.page;
    await page.getByRole('link', { name: 'Schedules and closed dates' }).click();
    await poll(() => heading(page).textContent()).toBe('Schedules and closed dates');
    const closed = page.locator('#closed-form');
    await closed.getByLabel('Date').fill('2026-12-02');
    await closed.getByLabel('Who is away').selectOption({ label: 'Dr. Iyer' });
    await closed.getByLabel('Reason (optional)').fill('Conference');
    await closed.getByRole('button', { name: 'Close this date' }).click();

    const dialog = page.getByRole('dialog', { name: 'There are bookings on that date' });
    await poll(() => dialog.isVisible()).toBe(true);
    expect(await dialog.textContent()).toContain('There is 1 upcoming booking on Wednesday 2 December 2026.');
    await dialog.getByRole('button', { name: 'Keep the bookings' }).click();
    await poll(() => page.locator('#flash').textContent()).toBe('Nothing changed: Wednesday 2 December 2026 stays open and its bookings are kept.');
    expect(await page.locator('#closed-list li').count()).toBe(0);

    await closed.getByRole('button', { name: 'Close this date' }).click();
    await poll(() => dialog.isVisible()).toBe(true);
    await dialog.getByRole('button', { name: 'Cancel those bookings and notify them' }).click();
    await poll(() => page.locator('#flash').textContent()).toBe('Closed Wednesday 2 December 2026. 1 booking cancelled; the patients get an SMS.');
    await poll(() => page.locator('#closed-list li').allInnerTexts()).toEqual([expect.stringContaining('Wednesday 2 December 2026: Dr. Iyer (Conference)')]);
    expect(s.t.db.select().from(appointments).where(eq(appointments.personPhone, '+919000000301')).get()!.status).toBe('cancelled');
    const sms = s.t.db.select().from(smsOutbox).where(eq(smsOutbox.phone, '+919000000301')).orderBy(desc(smsOutbox.id)).get()!;
    expect(sms.kind).toBe('cancellation');

    // Open it again.
    await page.getByRole('button', { name: 'Open Wednesday 2 December 2026 again (Dr. Iyer)' }).click();
    await poll(() => page.locator('#closed-list li').count()).toBe(0);
    expect(desk.problems).toEqual([]);
  }, SLOW);
});
