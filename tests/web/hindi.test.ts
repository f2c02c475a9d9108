// The patient pages in Hindi (issue 13), in a real Chromium against the real API and SQLite file:
// the language switch, the whole page in Devanagari, registering, booking and the appointments
// list in Hindi, and the account's language following the last choice on either channel.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import type { Browser, Page } from 'playwright-core';
import { accounts } from '../../src/db/schema.js';
import { activeDoctors, bookByPhone, hashPassword, listClinics, registerAccount, setPhoneLanguage } from '../../src/sync/index.js';
import { focused, haveChromium, inCi, launchBrowser, openTab, SCREENSHOTS, serve, unlabelledFields, type Served, type Tab } from './browser.js';

describe.skipIf(!haveChromium && !inCi)('patient pages in Hindi (Chromium)', () => {
  let browser: Browser;
  let s: Served | undefined;
  let tab: Tab | undefined;

  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
  });
  afterEach(async () => {
    await tab?.context.close();
    await s?.close();
    tab = undefined;
    s = undefined;
  });

  /** Generous: a log-in hashes a password, and the machine is shared. */
  const poll = <T>(f: () => T | Promise<T>) => expect.poll(f, { timeout: 15_000 });
  const heading = (page: Page) => page.getByRole('heading', { level: 1 }).textContent();
  const htmlLang = (page: Page) => page.evaluate('document.documentElement.lang');
  const accountLanguage = (phone: string) => s!.t.db.select().from(accounts).where(eq(accounts.phone, phone)).get()?.language;

  /** What the clinic's own data says (names of clinics, doctors and their specialties): shown as entered. */
  function clinicData(): string[] {
    const out: string[] = [];
    for (const c of listClinics(s!.t.ctx)) {
      out.push(c.name);
      for (const d of activeDoctors(s!.t.ctx, c.id)) out.push(d.name, d.specialty);
    }
    return out;
  }

  /**
   * Latin words a person can see on the page (header, page, footer; the switch's list of language
   * names aside), once names, the brand and the clinic's data are taken out.
   */
  async function latinWords(page: Page, allowed: string[]): Promise<string[]> {
    const text = String(
      await page.evaluate(`['.topbar-inner > .brand', '.topbar-inner > nav', '#lang-switch label', '#signed-in', 'main', '.footer']
        .flatMap((sel) => [...document.querySelectorAll(sel)])
        .map((n) => n.innerText).join('\\n')`),
    );
    let rest = text;
    for (const a of ['MedQ', ...allowed, ...clinicData()].sort((x, y) => y.length - x.length)) rest = rest.split(a).join(' ');
    return rest.match(/[A-Za-z]{2,}/g) ?? [];
  }

  async function shoot(page: Page, name: string) {
    for (const width of [412, 1920]) {
      await page.setViewportSize({ width, height: width === 412 ? 915 : 1080 });
      await page.screenshot({ path: `${SCREENSHOTS}hindi-${name}-${width}.png`, fullPage: true });
    }
  }

  it('switching to Hindi turns the page into Hindi; a new patient registers, books and sees the date in Hindi; the account keeps hi', async () => {
    s = await serve({ LANGUAGES: 'en,hi' });
    tab = await openTab(browser, s.base, { width: 412, height: 915 });
    const { page } = tab;
    await page.goto(`${s.base}/#/register`);
    await poll(() => heading(page)).toBe('Create your account');
    expect(await htmlLang(page)).toBe('en');

    // The switch: visible, labelled, each language named in its own words; usable from the keyboard.
    const language = page.getByLabel('Language');
    expect(await language.isVisible()).toBe(true);
    expect(await language.locator('option').allTextContents()).toEqual(['English', 'हिन्दी']);
    await language.focus();
    await page.keyboard.press('ArrowDown');
    await poll(() => htmlLang(page)).toBe('hi');
    await poll(() => heading(page)).toBe('अपना खाता बनाएँ');
    // Redrawn in place: the keyboard user is still on the switch.
    expect((await focused(page)).id).toBe('lang-select');
    expect(await page.getByLabel('भाषा').inputValue()).toBe('hi');
    expect(await page.title()).toBe('अपना खाता बनाएँ · MedQ');
    expect(await latinWords(page, [])).toEqual([]);
    expect(await unlabelledFields(page)).toEqual([]);

    // The form explains its own problems in Hindi.
    const form = page.locator('#view-register');
    await form.getByRole('button', { name: 'खाता बनाएँ' }).click();
    expect(await page.locator('#reg-name-error').textContent()).toBe('कृपया अपना नाम लिखें।');
    await shoot(page, 'register');

    const phone = '+919876500011';
    // What the code-SMS requests carry: the page's language (so the code SMS can speak it).
    const sent: Array<{ path: string; language: unknown }> = [];
    page.on('request', (r) => {
      if (r.method() === 'POST' && /\/api\/auth\/(register|verify\/resend)$/.test(r.url())) {
        sent.push({ path: new URL(r.url()).pathname, language: (r.postDataJSON() as { language?: unknown }).language });
      }
    });
    await form.getByLabel('पूरा नाम').fill('Kavita Sharma');
    await form.getByLabel('उम्र').fill('45');
    await form.getByLabel('मोबाइल नंबर').fill('98765 00011');
    await form.getByLabel('यूज़रनेम', { exact: true }).fill('kavita');
    await form.getByLabel('पासवर्ड', { exact: true }).fill('neem-tree-2026');
    await form.getByRole('button', { name: 'खाता बनाएँ' }).click();

    await poll(() => heading(page)).toBe('हमारा भेजा हुआ कोड डालें');
    expect(await page.locator('#verify-sent').textContent()).toBe('हमने 98765 00011 पर एसएमएस से 6 अंकों का कोड भेजा है।');
    expect(await latinWords(page, [])).toEqual([]);
    await page.getByRole('button', { name: 'नया कोड भेजें' }).click();
    await poll(() => page.locator('#verify-note').textContent()).toBe('हमने 98765 00011 पर नया कोड भेजा है। सबसे नया कोड इस्तेमाल करें।');
    expect(sent).toEqual([
      { path: '/api/auth/register', language: 'hi' },
      { path: '/api/auth/verify/resend', language: 'hi' },
    ]);
    const otp = s.t.db.query.smsOutbox.findFirst({ where: (o, { and, eq: is }) => and(is(o.phone, phone), is(o.kind, 'otp')), orderBy: (o, { desc }) => desc(o.id) }).sync();
    // The page asked in Hindi, so the code SMS is Hindi too.
    expect(otp?.body).toMatch(/^MedQ सत्यापन कोड: \d{6}।/);
    const code = /कोड: (\d{6})।/.exec(otp?.body ?? '')?.[1];
    expect(code).toMatch(/^\d{6}$/);
    // A wrong code: the error and the tries left, in Hindi.
    await page.getByLabel('6 अंकों का कोड').fill(code === '000000' ? '111111' : '000000');
    await page.getByRole('button', { name: 'पुष्टि करें' }).click();
    await poll(() => page.locator('#verify-code-error').textContent()).toBe(
      'यह कोड सही नहीं है। कृपया एसएमएस देखें और फिर से कोशिश करें। आपके पास 4 कोशिशें बची हैं।',
    );
    await page.getByLabel('6 अंकों का कोड').fill(code!);
    await page.getByRole('button', { name: 'पुष्टि करें' }).click();

    await poll(() => heading(page)).toBe('मेरे अपॉइंटमेंट');
    expect(await page.locator('#flash').textContent()).toBe('स्वागत है, Kavita Sharma! आपका खाता तैयार है।');
    await poll(() => page.locator('#appt-empty').isVisible()).toBe(true);
    // The choice made before the account existed is now the account's (so the IVR and SMS follow).
    await poll(() => accountLanguage(phone)).toBe('hi');

    // Book in Hindi: the free times and the summary say the date in Hindi.
    await page.getByRole('link', { name: 'अपॉइंटमेंट बुक करें' }).click();
    await poll(() => heading(page)).toBe('अपॉइंटमेंट बुक करें');
    await page.getByRole('radio', { name: /Dr\. Patel/ }).check();
    await poll(() => page.locator('#book-slots-status').textContent()).toBe('सोम, 30 नव॰ 2026 को 12 समय खाली हैं।');
    await page.getByRole('radio', { name: '10:00' }).check();
    expect(await page.locator('#book-summary').textContent()).toBe('Dr. Patel, सोमवार, 30 नवंबर 2026 को 10:00 बजे।');
    expect(await latinWords(page, ['Kavita Sharma'])).toEqual([]);
    await page.getByRole('button', { name: 'अपॉइंटमेंट बुक करें' }).click();

    await poll(() => heading(page)).toBe('मेरे अपॉइंटमेंट');
    expect(await page.locator('#flash').textContent()).toBe(
      'बुक हो गया: Dr. Patel, सोम, 30 नव॰ 2026 को 10:00 बजे। आपका टोकन P-1 है। हम आपको एसएमएस भेजेंगे।',
    );
    await poll(() => page.locator('#appt-list > li').count()).toBe(1);
    const card = await page.locator('#appt-list > li').first().innerText();
    expect(card).toMatch(/सोम, 30 नव॰ 2026[\s\S]*10:00[\s\S]*Dr\. Patel[\s\S]*बुक है[\s\S]*वेब से बुकिंग[\s\S]*टोकन[\s\S]*P-1[\s\S]*रद्द करें/);
    expect(await page.locator('#signed-in').textContent()).toBe('Kavita Sharma के रूप में लॉग इन');
    expect(await latinWords(page, ['Kavita Sharma', 'P-1'])).toEqual([]);
    await shoot(page, 'appointments');

    // The cancel dialog too.
    await page.setViewportSize({ width: 412, height: 915 });
    await page.getByRole('button', { name: /^Dr\. Patel के साथ सोम, 30 नव॰ 2026 को 10:00 बजे का अपॉइंटमेंट रद्द करें$/ }).click();
    const dialog = page.getByRole('dialog', { name: 'क्या यह अपॉइंटमेंट रद्द करना है?' });
    await poll(() => dialog.isVisible()).toBe(true);
    expect(await dialog.locator('#cancel-text').textContent()).toBe(
      'Dr. Patel, सोमवार, 30 नवंबर 2026 को 10:00 बजे (टोकन P-1)। यह समय दूसरे मरीज़ों को दे दिया जाएगा।',
    );
    await shoot(page, 'cancel');
    await dialog.getByRole('button', { name: 'अपॉइंटमेंट रखें' }).click();

    // Switching on the page after log-in is saved to the account at once.
    await page.getByLabel('भाषा').selectOption('en');
    await poll(() => heading(page)).toBe('My appointments');
    await poll(() => accountLanguage(phone)).toBe('en');
    await page.getByLabel('Language').selectOption('hi');
    await poll(() => heading(page)).toBe('मेरे अपॉइंटमेंट');
    await poll(() => accountLanguage(phone)).toBe('hi');
    expect(tab.problems).toEqual([]);
  }, 120_000);

  it('an account whose language is hi (chosen on the phone) logs in on a fresh browser and gets Hindi', async () => {
    s = await serve({ LANGUAGES: 'en,hi' });
    const phone = '+919876500022';
    const made = registerAccount(s.t.ctx, { phone, name: 'Ramesh Gupta', age: 58, username: 'ramesh', passwordHash: await hashPassword('banyan-road-58') });
    expect(made.ok).toBe(true);
    const doctor = activeDoctors(s.t.ctx, listClinics(s.t.ctx)[0]!.id).find((d) => d.name === 'Dr. Sharma')!;
    expect((await bookByPhone(s.t.ctx, { phone, doctorId: doctor.id, date: '2026-12-02', time: '09:00' })).ok).toBe(true);
    // The IVR's key 8 (or its greeting's offer) saved Hindi on the account.
    expect(setPhoneLanguage(s.t.ctx, phone, 'hi')).toBe('saved');

    tab = await openTab(browser, s.base, { width: 1920, height: 1080 });
    const { page } = tab;
    await page.goto(`${s.base}/#/login`);
    await poll(() => heading(page)).toBe('Log in');
    const form = page.locator('#view-login');
    await form.getByLabel('Username or phone number').fill('ramesh');
    await form.getByLabel('Password', { exact: true }).fill('banyan-road-58');
    await form.getByRole('button', { name: 'Log in' }).click();

    await poll(() => htmlLang(page)).toBe('hi');
    await poll(() => heading(page)).toBe('मेरे अपॉइंटमेंट');
    await poll(() => page.locator('#appt-list > li').count()).toBe(1);
    expect(await page.locator('#appt-list > li').first().innerText()).toMatch(/बुध, 2 दिस॰ 2026[\s\S]*09:00[\s\S]*Dr\. Sharma[\s\S]*फ़ोन से बुकिंग/);
    expect(await page.getByLabel('भाषा').inputValue()).toBe('hi');
    expect(await latinWords(page, ['Ramesh Gupta', 'S-1'])).toEqual([]);
    // Following the account is not a new choice: the account keeps hi.
    expect(accountLanguage(phone)).toBe('hi');

    // The next visit in this browser opens in Hindi straight away, before logging in.
    await page.getByRole('button', { name: 'लॉग आउट' }).click();
    await poll(() => heading(page)).toBe('लॉग इन करें');
    await page.waitForLoadState('networkidle'); // no request of the log-out cut off by the reload
    await page.reload();
    await poll(() => heading(page)).toBe('लॉग इन करें');
    expect(await latinWords(page, [])).toEqual([]);
    await shoot(page, 'login');
    expect(tab.problems).toEqual([]);
  }, 120_000);

  it('with LANGUAGES=en (the default) there is no switch, and a stale Hindi choice is not used', async () => {
    s = await serve();
    tab = await openTab(browser, s.base);
    const { page } = tab;
    await page.goto(`${s.base}/#/login`, { waitUntil: 'networkidle' });
    // The first load finishes before the reload, so none of its requests is cut off by it.
    await poll(() => heading(page)).toBe('Log in');
    await page.evaluate(`localStorage.setItem('medq.language', 'hi')`);
    await page.reload({ waitUntil: 'networkidle' });
    await poll(() => heading(page)).toBe('Log in');
    expect(await htmlLang(page)).toBe('en');
    expect(await page.locator('#lang-switch').isVisible()).toBe(false);
    expect(await page.getByLabel('Language').isVisible()).toBe(false);
    expect(tab.problems).toEqual([]);
  }, 120_000);
});
