// The Content-Security-Policy in a real Chromium: the patient pages and Swagger UI still work under
// it (no violation, the page renders), and another site cannot frame them (frame-ancestors 'none').
import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startApi, type TestApi } from './helpers.js';

const CHROMIUM = '/usr/bin/chromium';
const inCi = process.env['CI'] === 'true';
const haveChromium = existsSync(CHROMIUM);
if (!haveChromium && !inCi) console.warn(`[csp-browser] skipped: no Chromium at ${CHROMIUM}. Under CI=true this fails instead.`);

describe.skipIf(!haveChromium && !inCi)('Content-Security-Policy in Chromium', () => {
  let browser: Browser;
  let api: TestApi;
  let framer: Server;
  let framerBase: string;

  beforeAll(async () => {
    if (!haveChromium) throw new Error(`CI=true and no Chromium at ${CHROMIUM}: install it (apt-get install -y chromium)`);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run'] });
    api = await startApi({ webRoot: fileURLToPath(new URL('../../web', import.meta.url)) });
    // Another origin (another port) that tries to frame the pages.
    framer = createServer((_req, res) => {
      res.setHeader('content-type', 'text/html');
      res.end(`<!doctype html><iframe id="f" src="${api.base}/" width="600" height="400"></iframe>`);
    });
    await new Promise<void>((r) => framer.listen(0, '127.0.0.1', r));
    framerBase = `http://127.0.0.1:${(framer.address() as AddressInfo).port}`;
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await api?.close();
    await new Promise((r) => framer?.close(r));
  });

  /** Opens a page and gathers every CSP violation and script error it reports. */
  async function open(url: string): Promise<{ page: Page; problems: string[] }> {
    const page = await browser.newPage();
    const problems: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(m.text());
    });
    page.on('pageerror', (e) => problems.push(e.message));
    await page.addInitScript({
      content: "document.addEventListener('securitypolicyviolation', (e) => console.error('CSP violation: ' + e.violatedDirective + ' ' + e.blockedURI));",
    });
    await page.goto(url, { waitUntil: 'load' });
    return { page, problems };
  }

  it('the patient pages load and run under the policy', async () => {
    const { page, problems } = await open(`${api.base}/#/login`);
    await page.waitForSelector('#view-login:not([hidden])', { timeout: 10_000 });
    expect(problems.filter((p) => /CSP|Content Security Policy|Refused/i.test(p))).toEqual([]);
    await page.close();
  });

  it('Swagger UI at /docs renders under its policy', async () => {
    const { page, problems } = await open(`${api.base}/docs`);
    await page.waitForSelector('.swagger-ui .info .title', { timeout: 15_000 });
    expect(problems.filter((p) => /CSP|Content Security Policy|Refused/i.test(p))).toEqual([]);
    await page.close();
  });

  it('another site cannot frame the pages', async () => {
    const page = await browser.newPage();
    const messages: string[] = [];
    page.on('console', (m) => messages.push(m.text()));
    await page.goto(`${framerBase}/`, { waitUntil: 'load' });
    await page.waitForTimeout(500);
    const frame = page.frames().find((f) => f !== page.mainFrame());
    // The framed document never becomes the pages: Chromium shows its own error document instead.
    const title = frame ? await frame.evaluate<string>('document.title').catch(() => '') : '';
    expect(title).not.toBe('MedQ appointments');
    expect(messages.some((m) => /frame-ancestors/.test(m))).toBe(true);
    await page.close();
  });
});
