// The patient pages in a real Chromium (Debian's /usr/bin/chromium driven by playwright-core)
// against the real API on 127.0.0.1 with a real SQLite file: what a patient sees and does.
// SMS codes and the welcome password are read from the sms_outbox table, as the SMSC would get them.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { desc, eq } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { buildApp } from '../../src/api/app.js';
import { accounts, appointments, smsOutbox } from '../../src/db/schema.js';
import { createLogger } from '../../src/shared/logger.js';
import { activeDoctors, bookByPhone, hashPassword, listClinics, registerAccount } from '../../src/sync/index.js';
import { createTestDb, MONDAY_MORNING, type TestDb } from '../support/db.js';
import { haveChromium, inCi, launchBrowser, WEB_ROOT } from './browser.js';

const SCREENSHOT = '/tmp/medq-web.png';
const IVR_MESSAGE =
  'We found that you have booked appointments via phone. Would you like to link your existing bookings to this web account?';

// Under CI a missing browser is a failure (the beforeAll throws), never a skip.
describe.skipIf(!haveChromium && !inCi)('patient web pages in Chromium', () => {
  let browser: Browser;
  let t: TestDb;
  let app: FastifyInstance;
  let base: string;
  let context: BrowserContext;
  let page: Page;
  /** Problems a patient would hit: script errors, failed requests, anything fetched off this server. */
  let problems: string[];

  beforeAll(async () => {
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
  });

  beforeEach(async () => {
    t = createTestDb(); // the demo seed; the clock is Monday 30 Nov 2026, 08:00 in Kolkata
    app = buildApp({
      ctx: t.ctx,
      config: t.config,
      logger: createLogger('silent'),
      health: { db: () => 'up', ari: () => 'disabled', smpp: () => 'disabled' },
      webRoot: WEB_ROOT,
    });
    await app.listen({ port: 0, host: '127.0.0.1' });
    const addr = app.server.address();
    if (!addr || typeof addr === 'string') throw new Error('no address');
    base = `http://127.0.0.1:${addr.port}`;

    problems = [];
    context = await browser.newContext({ viewport: { width: 1000, height: 900 }, locale: 'en-IN', timezoneId: 'Asia/Kolkata' });
    // The pages must work with nothing but this server: refuse and record anything else.
    await context.route(
      (url) => !url.href.startsWith(`${base}/`),
      (route) => {
        problems.push(`off-site request: ${route.request().url()}`);
        return route.abort();
      },
    );
    page = await context.newPage();
    // The browser's clock agrees with the server's test clock (date pickers start on "today").
    await page.clock.setFixedTime(new Date(MONDAY_MORNING));
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    page.on('console', (m) => {
      if (m.type() === 'error' && !/status of (4\d\d)/.test(m.text())) problems.push(`console: ${m.text()}`);
    });
    page.on('requestfailed', (r) => {
      if (r.url().startsWith(base)) problems.push(`request failed: ${r.url()} ${r.failure()?.errorText}`);
    });
  });

  afterEach(async () => {
    await context?.close();
    await app?.close();
    t?.close();
  });

  const doctor = (name: string) => {
    const clinic = listClinics(t.ctx)[0]!;
    const d = activeDoctors(t.ctx, clinic.id).find((x) => x.name === name);
    if (!d) throw new Error(`no doctor ${name}`);
    return d;
  };

  async function phoneBooking(phone: string, doctorName: string, date: string, time: string) {
    const r = await bookByPhone(t.ctx, { phone, doctorId: doctor(doctorName).id, date, time });
    if (!r.ok) throw new Error(`IVR booking failed: ${r.code}`);
    return r.value;
  }

  const latestSms = (phone: string, kind: 'otp' | 'welcome') =>
    t.db
      .select()
      .from(smsOutbox)
      .where(eq(smsOutbox.phone, phone))
      .orderBy(desc(smsOutbox.id))
      .all()
      .find((s) => s.kind === kind);

  function latestOtp(phone: string): string {
    const m = /code: (\d{6})\./.exec(latestSms(phone, 'otp')?.body ?? '');
    if (!m) throw new Error(`no OTP SMS for ${phone}`);
    return m[1]!;
  }

  /** Screens worth a look beside the main one, for whoever changes the pages next. */
  const shot = (name: string) => page.screenshot({ path: `/tmp/medq-web-${name}.png`, fullPage: true });

  /** One page of the app (the other pages are in the document too, hidden). */
  const view = (name: string) => page.locator(`#view-${name}`);

  async function fillRegistration(p: { name: string; age: string; phone: string; username: string; password: string }) {
    const form = view('register');
    await form.getByLabel('Full name').fill(p.name);
    await form.getByLabel('Age').fill(p.age);
    await form.getByLabel('Mobile number').fill(p.phone);
    await form.getByLabel('Username', { exact: true }).fill(p.username);
    await form.getByLabel('Password', { exact: true }).fill(p.password);
    await form.getByRole('button', { name: 'Create account' }).click();
  }

  const heading = () => page.getByRole('heading', { level: 1 });
  const cards = () => page.locator('#appt-list > li');

  it('a caller who booked by phone registers, links the phone bookings with the SMS code, and sees them', async () => {
    const phone = '+919876543210';
    const first = await phoneBooking(phone, 'Dr. Sharma', '2026-11-30', '09:00');
    const second = await phoneBooking(phone, 'Dr. Patel', '2026-12-02', '10:20');
    expect([first.token, second.token]).toEqual(['S-1', 'P-2']);

    await page.goto(`${base}/`);
    await expect.poll(() => heading().textContent()).toBe('Log in');
    await page.getByRole('link', { name: 'Create an account' }).click();
    await expect.poll(() => heading().textContent()).toBe('Create your account');
    // The phone as a patient types it; the API normalises it to the E.164 of the phone bookings.
    await fillRegistration({ name: 'Asha Rao', age: '34', phone: '98765 43210', username: 'asha.rao', password: 'sunrise-clinic-7' });

    await expect.poll(() => heading().textContent()).toBe('Link your phone bookings');
    expect(await page.locator('#link-message').textContent()).toBe(IVR_MESSAGE);
    expect(await page.locator('#link-phone').textContent()).toBe(phone);
    await shot('link');
    await page.getByRole('button', { name: 'Link my phone bookings' }).click();

    await expect.poll(() => heading().textContent()).toBe('Enter the code we sent you');
    expect(await page.locator('#verify-phone').textContent()).toBe(phone);
    const code = latestOtp(phone);
    // A wrong code first: the page says how many tries are left.
    await view('verify').getByLabel('6-digit code').fill(code === '000000' ? '111111' : '000000');
    await page.getByRole('button', { name: 'Verify' }).click();
    await expect.poll(() => page.locator('#verify-code-error').textContent()).toMatch(/You have 4 attempts left\.$/);
    expect(await view('verify').getByLabel('6-digit code').getAttribute('aria-invalid')).toBe('true');
    await shot('verify');

    await view('verify').getByLabel('6-digit code').fill(code);
    await page.getByRole('button', { name: 'Verify' }).click();

    await expect.poll(() => heading().textContent()).toBe('My appointments');
    expect(await page.locator('#flash').textContent()).toContain('Your phone bookings are now linked');
    await expect.poll(() => cards().count()).toBe(2);
    // Newest first: Wednesday's Dr. Patel, then Monday's Dr. Sharma; both made on the phone.
    const texts = await cards().allInnerTexts();
    expect(texts[0]).toMatch(/Wed 2 Dec 2026[\s\S]*10:20[\s\S]*Dr\. Patel[\s\S]*MedQ Demo Clinic[\s\S]*Booked[\s\S]*Phone booking[\s\S]*P-2/);
    expect(texts[1]).toMatch(/Mon 30 Nov 2026[\s\S]*09:00[\s\S]*Dr\. Sharma[\s\S]*Phone booking[\s\S]*S-1/);
    await expect.poll(() => page.locator('#appt-list .appt-token-value').allTextContents()).toEqual(['P-2', 'S-1']);
    expect(await page.locator('#signed-in').textContent()).toBe('Signed in as Asha Rao');

    // The database agrees: one active account under the web username, the temporary one claimed.
    expect(t.db.select().from(accounts).where(eq(accounts.phone, phone)).all()).toMatchObject([{ username: 'asha.rao', status: 'active' }]);

    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    await page.setViewportSize({ width: 390, height: 844 });
    await page.screenshot({ path: '/tmp/medq-web-mobile.png', fullPage: true });
    expect(problems).toEqual([]);
  });

  it('a new patient registers with the SMS code, books a slot (one taken meanwhile), sees it, cancels it', async () => {
    const phone = '+919123456789';
    await page.goto(`${base}/#/register`);
    await expect.poll(() => heading().textContent()).toBe('Create your account');

    // The form explains its own problems before anything is sent.
    await view('register').getByRole('button', { name: 'Create account' }).click();
    expect(await page.locator('#reg-name-error').textContent()).toBe('Enter your name.');
    expect(await page.locator('#reg-phone-error').textContent()).toBe('Enter your mobile number.');
    // Every visible input has a label a screen reader can announce.
    // (Plain JavaScript run in the page: the project's TypeScript has no DOM types.)
    const unlabelled = await page.evaluate(`[...document.querySelectorAll('main input')]
      .filter((i) => i.offsetParent !== null && i.labels.length === 0 && !i.getAttribute('aria-label'))
      .map((i) => i.id)`);
    expect(unlabelled).toEqual([]);

    // An impossible phone number: the API's message beside the phone field.
    await fillRegistration({ name: 'Ravi Kumar', age: '41', phone: '12345', username: 'ravi', password: 'monsoon-walk-42' });
    await expect.poll(() => page.locator('#reg-phone-error').isVisible()).toBe(true);
    expect(await page.locator('#reg-phone-error').textContent()).not.toBe('');
    await shot('register');
    expect(await heading().textContent()).toBe('Create your account');

    await view('register').getByLabel('Mobile number').fill('+91 91234 56789');
    await view('register').getByRole('button', { name: 'Create account' }).click();
    await expect.poll(() => heading().textContent()).toBe('Enter the code we sent you');
    await view('verify').getByLabel('6-digit code').fill(latestOtp(phone));
    await page.getByRole('button', { name: 'Verify' }).click();

    await expect.poll(() => heading().textContent()).toBe('My appointments');
    await expect.poll(() => page.locator('#appt-empty').isVisible()).toBe(true);

    await page.getByRole('link', { name: 'Book an appointment' }).click();
    await expect.poll(() => heading().textContent()).toBe('Book an appointment');
    await page.getByRole('radio', { name: /Dr\. Patel/ }).check();
    // The date picker starts on the clinic's today (Monday 30 Nov); Dr. Patel sees patients from 10:00.
    expect(await view('book').getByLabel('Date').inputValue()).toBe('2026-11-30');
    await expect.poll(() => page.locator('#book-slots-status').textContent()).toMatch(/^12 free times on Mon 30 Nov 2026\.$/);
    await page.getByRole('radio', { name: '10:00' }).check();
    expect(await page.locator('#book-summary').textContent()).toBe('Dr. Patel, Monday 30 November 2026 at 10:00.');

    // Someone on the phone takes 10:00 while the page is open.
    await phoneBooking('+919000000111', 'Dr. Patel', '2026-11-30', '10:00');
    await page.getByRole('button', { name: 'Book appointment' }).click();
    await expect.poll(() => page.locator('#book-form [data-form-alert]').isVisible()).toBe(true);
    const taken = await page.locator('#book-form [data-form-alert]').textContent();
    expect(taken).toMatch(/taken|booked/i);
    // The times are reloaded without the taken one.
    await expect.poll(() => page.getByRole('radio', { name: '10:00' }).count()).toBe(0);
    await shot('book');
    await page.getByRole('radio', { name: '10:20' }).check();
    await page.getByRole('button', { name: 'Book appointment' }).click();

    await expect.poll(() => heading().textContent()).toBe('My appointments');
    expect(await page.locator('#flash').textContent()).toBe(
      'Booked: Dr. Patel on Mon 30 Nov 2026 at 10:20. Your token is P-2. We will send you an SMS.',
    );
    await expect.poll(() => cards().count()).toBe(1);
    expect(await cards().first().innerText()).toMatch(/Mon 30 Nov 2026[\s\S]*10:20[\s\S]*Dr\. Patel[\s\S]*Web booking[\s\S]*P-2/);

    // A second booking with the same doctor that day is refused with the API's message.
    await page.getByRole('link', { name: 'Book an appointment' }).click();
    await page.getByRole('radio', { name: /Dr\. Patel/ }).check();
    await page.getByRole('radio', { name: '11:00' }).check();
    await page.getByRole('button', { name: 'Book appointment' }).click();
    await expect.poll(() => page.locator('#book-form [data-form-alert]').isVisible()).toBe(true);
    expect(await page.locator('#book-form [data-form-alert]').textContent()).not.toBe('');
    // The browser's Back button returns to the previous page of the app.
    await page.goBack();
    await expect.poll(() => heading().textContent()).toBe('My appointments');

    // Cancel, confirming in the dialog.
    await expect.poll(() => cards().count()).toBe(1);
    await cards().first().getByRole('button', { name: /^Cancel appointment with Dr\. Patel/ }).click();
    const dialog = page.getByRole('dialog', { name: 'Cancel this appointment?' });
    await expect.poll(() => dialog.isVisible()).toBe(true);
    expect(await dialog.textContent()).toContain('Dr. Patel, Monday 30 November 2026 at 10:20 (token P-2)');
    await dialog.getByRole('button', { name: 'Yes, cancel it' }).click();

    await expect.poll(() => page.locator('#flash').textContent()).toBe(
      'Your appointment with Dr. Patel on Mon 30 Nov 2026 at 10:20 is cancelled.',
    );
    await expect.poll(() => cards().first().locator('.badge-status').textContent()).toBe('Cancelled');
    expect(await cards().first().getByRole('button').count()).toBe(0);
    expect(t.db.select().from(appointments).where(eq(appointments.personPhone, phone)).all()).toMatchObject([{ status: 'cancelled' }]);

    await page.screenshot({ path: '/tmp/medq-web-cancelled.png', fullPage: true });
    expect(problems).toEqual([]);
  });

  it('an account the IVR made logs in with the SMS password and must choose a new one first', async () => {
    const phone = '+919000012345';
    const booking = await phoneBooking(phone, 'Dr. Iyer', '2026-11-30', '11:30');
    const welcome = latestSms(phone, 'welcome')!.body;
    const username = /Username: (\S+)\n/.exec(welcome)![1]!;
    const tempPassword = /Password: (\S+)\n/.exec(welcome)![1]!;
    expect(username).toBe(phone);

    await page.goto(`${base}/#/login`);
    await view('login').getByLabel('Username or phone number').fill(username);
    await view('login').getByLabel('Password', { exact: true }).fill(tempPassword);
    await page.getByRole('button', { name: 'Log in' }).click();

    await expect.poll(() => heading().textContent()).toBe('Choose a new password');
    // Only the new password is asked for: the temporary one was just typed.
    expect(await view('change-password').getByLabel('Current (temporary) password').isVisible()).toBe(false);
    expect(await page.getByRole('link', { name: 'Book', exact: true }).isVisible()).toBe(false);
    // The other pages wait until the password is changed.
    await page.goto(`${base}/#/appointments`);
    await expect.poll(() => heading().textContent()).toBe('Choose a new password');

    // A phone-made account also says who it is (name and age are required, the username optional).
    expect(await view('change-password').getByLabel('Full name').inputValue()).toBe('');
    await view('change-password').getByLabel('New password', { exact: true }).fill('lotus-garden-88');
    await view('change-password').getByLabel('New password again').fill('lotus-garden-88');
    await page.getByRole('button', { name: 'Save new password' }).click();
    expect(await page.locator('#change-name-error').textContent()).toBe('Enter your name.');
    expect(await page.locator('#change-age-error').textContent()).toBe('Enter your age in years.');
    await view('change-password').getByLabel('Full name').fill('Lakshmi Iyer');
    await view('change-password').getByLabel('Age').fill('61');
    await view('change-password').getByLabel('New password again').fill('lotus-garden-89');
    await page.getByRole('button', { name: 'Save new password' }).click();
    expect(await page.locator('#change-confirm-error').textContent()).toBe('The two new passwords are not the same.');
    await shot('change-password');

    await view('change-password').getByLabel('New password again').fill('lotus-garden-88');
    await page.getByRole('button', { name: 'Save new password' }).click();
    await expect.poll(() => heading().textContent()).toBe('My appointments');
    expect(await page.locator('#flash').textContent()).toContain('Your new password is saved');
    await expect.poll(() => cards().count()).toBe(1);
    expect(await cards().first().innerText()).toMatch(new RegExp(`Dr\\. Iyer[\\s\\S]*Phone booking[\\s\\S]*${booking.token}`));
    expect(t.db.select().from(accounts).where(eq(accounts.phone, phone)).get()).toMatchObject({ status: 'active', mustChangePassword: false });

    // Log out; the temporary password no longer works, the new one does.
    await page.getByRole('button', { name: 'Log out' }).click();
    await expect.poll(() => heading().textContent()).toBe('Log in');
    await view('login').getByLabel('Username or phone number').fill('9000012345');
    await view('login').getByLabel('Password', { exact: true }).fill(tempPassword);
    await page.getByRole('button', { name: 'Log in' }).click();
    await expect.poll(() => page.locator('#login-form [data-form-alert]').textContent()).toBe(
      'The username, phone number or password is not right.',
    );
    await view('login').getByLabel('Password', { exact: true }).fill('lotus-garden-88');
    await page.getByRole('button', { name: 'Log in' }).click();
    await expect.poll(() => heading().textContent()).toBe('My appointments');
    await expect.poll(() => cards().count()).toBe(1);
    expect(problems).toEqual([]);
  });
  it('the caller who follows the welcome SMS changes the password as "John Doe", 40; every booking of the phone shows John Doe; My account edits name and age', async () => {
    // Issue 9 item 4. Needs day1-accounts' POST /api/me/password {name, age, username} and PATCH /api/me.
    const phone = '+919000054321';
    const first = await phoneBooking(phone, 'Dr. Sharma', '2026-11-30', '09:30');
    const second = await phoneBooking(phone, 'Dr. Patel', '2026-12-02', '10:40');
    const welcome = latestSms(phone, 'welcome')!.body;
    const tempPassword = /Password: (\S+)\n/.exec(welcome)![1]!;

    await page.goto(`${base}/#/login`);
    await view('login').getByLabel('Username or phone number').fill(phone);
    await view('login').getByLabel('Password', { exact: true }).fill(tempPassword);
    await page.getByRole('button', { name: 'Log in' }).click();
    await expect.poll(() => heading().textContent()).toBe('Choose a new password');
    const form = view('change-password');
    await form.getByLabel('Full name').fill('John Doe');
    await form.getByLabel('Age').fill('40');
    await form.getByLabel('Username (optional)').fill('John.Doe');
    await form.getByLabel('New password', { exact: true }).fill('harbour-lights-40');
    await form.getByLabel('New password again').fill('harbour-lights-40');
    await shot('change-password-identity');
    await page.getByRole('button', { name: 'Save new password' }).click();

    await expect.poll(() => heading().textContent()).toBe('My appointments');
    expect(await page.locator('#signed-in').textContent()).toBe('Signed in as John Doe');
    await expect.poll(() => cards().count()).toBe(2);
    await expect.poll(() => page.locator('#appt-list .appt-patient').allTextContents()).toEqual(['John Doe', 'John Doe']);
    await expect.poll(() => page.locator('#appt-list .appt-token-value').allTextContents()).toEqual([second.token, first.token]);
    // Every booking of the phone carries the name, and the account is claimed under the new username.
    const rows = t.db.select().from(appointments).where(eq(appointments.personPhone, phone)).all();
    expect(rows).toHaveLength(2);
    expect(t.db.select().from(accounts).where(eq(accounts.phone, phone)).get()).toMatchObject({
      username: 'john.doe',
      displayName: 'John Doe',
      status: 'active',
      mustChangePassword: false,
    });

    // My account shows name and age and changes them.
    await page.getByRole('link', { name: 'My account' }).click();
    await expect.poll(() => heading().textContent()).toBe('My account');
    await expect.poll(() => page.locator('#account-name').textContent()).toBe('John Doe');
    expect(await page.locator('#account-age').textContent()).toBe('40');
    expect(await page.locator('#account-username').textContent()).toBe('john.doe');
    await view('account').getByLabel('Full name').fill('John A. Doe');
    await view('account').getByLabel('Age').fill('41');
    await page.getByRole('button', { name: 'Save my details' }).click();
    await expect.poll(() => page.locator('#flash').textContent()).toBe('Your details are saved.');
    expect(await page.locator('#account-name').textContent()).toBe('John A. Doe');
    expect(await page.locator('#account-age').textContent()).toBe('41');
    expect(await page.locator('#signed-in').textContent()).toBe('Signed in as John A. Doe');
    await shot('account');
    await page.getByRole('link', { name: 'My appointments' }).click();
    await expect.poll(() => page.locator('#appt-list .appt-patient').allTextContents()).toEqual(['John A. Doe', 'John A. Doe']);

    // The phone now has a web account: registering it again is offered log-in or reset instead.
    await page.getByRole('button', { name: 'Log out' }).click();
    await page.goto(`${base}/#/register`);
    await fillRegistration({ name: 'Someone Else', age: '30', phone, username: 'someone.else', password: 'another-pass-77' });
    await expect.poll(() => page.locator('#registered-panel').isVisible()).toBe(true);
    expect(await page.locator('#registered-message').textContent()).toContain('This phone number already has a web account. Please log in instead.');
    expect(problems).toEqual([]);
  });

  it('a phone with a web account is offered log-in or reset; the reset survives an expired code; other conflicts sit by their fields', async () => {
    const phone = '+919811122233';
    const made = registerAccount(t.ctx, { phone, name: 'Meera Iyer', age: 52, username: 'meera', passwordHash: await hashPassword('old-password-1') });
    expect(made.ok).toBe(true);
    await phoneBooking('+919822233344', 'Dr. Sharma', '2026-11-30', '09:15');

    await page.goto(`${base}/#/register`);
    // Same username, new phone: the API's message beside the username field.
    await fillRegistration({ name: 'Meera I', age: '52', phone: '9833344455', username: 'meera', password: 'new-password-22' });
    await expect.poll(() => page.locator('#reg-username-error').isVisible()).toBe(true);
    expect(await page.locator('#reg-username-error').textContent()).toBe('This username is already taken. Please choose another.');

    // A phone with phone bookings, then "Use a different phone": back to the form, phone cleared.
    await view('register').getByLabel('Username', { exact: true }).fill('meera.i');
    await view('register').getByLabel('Mobile number').fill('9822233344');
    await view('register').getByRole('button', { name: 'Create account' }).click();
    await expect.poll(() => heading().textContent()).toBe('Link your phone bookings');
    await page.getByRole('button', { name: 'Use a different phone' }).click();
    await expect.poll(() => heading().textContent()).toBe('Create your account');
    expect(await view('register').getByLabel('Mobile number').inputValue()).toBe('');
    expect(await page.evaluate('document.activeElement.id')).toBe('reg-phone');
    expect(await view('register').getByLabel('Full name').inputValue()).toBe('Meera I');

    // The phone of an active account: log in or reset.
    await view('register').getByLabel('Mobile number').fill(phone);
    await view('register').getByRole('button', { name: 'Create account' }).click();
    await expect.poll(() => page.locator('#registered-panel').isVisible()).toBe(true);
    expect(await page.locator('#registered-message').textContent()).toContain('This phone number already has a web account. Please log in instead.');
    await page.getByRole('button', { name: 'Reset password' }).click();
    await expect.poll(() => heading().textContent()).toBe('Reset your password');
    expect(await view('reset').getByLabel('Mobile number').inputValue()).toBe(phone);
    await view('reset').getByLabel('New password', { exact: true }).fill('fresh-start-55');
    await view('reset').getByRole('button', { name: 'Send code' }).click();

    await expect.poll(() => heading().textContent()).toBe('Enter the code we sent you');
    const stale = latestOtp(phone);
    t.clock.advance(11 * 60_000); // the code is 10 minutes old and more
    await view('verify').getByLabel('6-digit code').fill(stale);
    await view('verify').getByRole('button', { name: 'Verify' }).click();
    await expect.poll(() => page.getByRole('button', { name: 'Start again' }).isVisible()).toBe(true);
    expect(await page.locator('#verify-form [data-form-alert]').textContent()).toContain('Start again');
    expect(await page.getByRole('button', { name: 'Verify' }).isVisible()).toBe(false);
    await page.getByRole('button', { name: 'Start again' }).click();
    await expect.poll(() => page.locator('#verify-note').textContent()).toBe(`We sent a new code to ${phone}.`);
    const fresh = latestOtp(phone);
    await view('verify').getByLabel('6-digit code').fill(fresh);
    await view('verify').getByRole('button', { name: 'Verify' }).click();

    await expect.poll(() => heading().textContent()).toBe('My appointments');
    expect(await page.locator('#flash').textContent()).toBe('Your password has been changed. You are logged in.');
    expect(await page.locator('#signed-in').textContent()).toBe('Signed in as Meera Iyer');
    expect(problems).toEqual([]);
  });
});
