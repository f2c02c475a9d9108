// A real Chromium (Debian's /usr/bin/chromium via playwright-core) against the real API on
// 127.0.0.1 with a real SQLite file, for the reception pages and the waiting-room screen.
// Under CI=true a missing Chromium fails the suite (beforeAll throws), never skips it.
import { existsSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { buildApp } from '../../src/api/app.js';
import { createLogger } from '../../src/shared/logger.js';
import { createTestDb, MONDAY_MORNING, type TestDb } from '../support/db.js';

export const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];
export const WEB_ROOT = fileURLToPath(new URL('../../web/', import.meta.url));
/** Screenshots kept as test artifacts (gitignored) for a person to look at. */
export const SCREENSHOTS = fileURLToPath(new URL('../../test-artifacts/screenshots/', import.meta.url));

export const inCi = process.env['CI'] === 'true';
export const haveChromium = existsSync(CHROMIUM);
if (!haveChromium && !inCi) {
  console.warn(`[tests/web] skipped: no Chromium at ${CHROMIUM} (apt-get install -y chromium). Under CI=true this fails instead.`);
}

export async function launchBrowser(): Promise<Browser> {
  if (!haveChromium) throw new Error(`CI=true and no Chromium at ${CHROMIUM}: install it (apt-get install -y chromium)`);
  mkdirSync(SCREENSHOTS, { recursive: true });
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
}

export interface Served {
  t: TestDb;
  app: FastifyInstance;
  base: string;
  close(): Promise<void>;
}

/** The demo seed on a fresh database (clock: Monday 30 Nov 2026, 08:00 Kolkata), served over HTTP. */
export async function serve(env: Record<string, string> = {}): Promise<Served> {
  const t = createTestDb({ env });
  const app = buildApp({
    ctx: t.ctx,
    config: t.config,
    logger: createLogger('silent'),
    health: { db: () => 'up', ari: () => 'disabled', smpp: () => 'disabled' },
    webRoot: WEB_ROOT,
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const addr = app.server.address();
  if (!addr || typeof addr === 'string') throw new Error('no address');
  return {
    t,
    app,
    base: `http://127.0.0.1:${addr.port}`,
    async close() {
      await app.close();
      t.close();
    },
  };
}

export interface Tab {
  context: BrowserContext;
  page: Page;
  /** Problems a user would hit: script errors, failed requests, anything fetched off this server. */
  problems: string[];
}

/** A fresh browser context ("a second browser") with one page whose clock agrees with the server's. */
export async function openTab(browser: Browser, base: string, viewport = { width: 1280, height: 900 }): Promise<Tab> {
  const problems: string[] = [];
  const context = await browser.newContext({ viewport, locale: 'en-IN', timezoneId: 'Asia/Kolkata' });
  await context.route(
    (url) => !url.href.startsWith(`${base}/`),
    (route) => {
      problems.push(`off-site request: ${route.request().url()}`);
      return route.abort();
    },
  );
  const page = await context.newPage();
  await page.clock.setFixedTime(new Date(MONDAY_MORNING));
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error' && !/status of (4\d\d)/.test(m.text())) problems.push(`console: ${m.text()}`);
  });
  page.on('requestfailed', (r) => {
    // An EventSource torn down when a page closes is not a problem a user sees.
    if (r.url().startsWith(base) && !r.url().endsWith('/queue/events')) problems.push(`request failed: ${r.url()} ${r.failure()?.errorText}`);
  });
  return { context, page, problems };
}

/** Inputs, selects and textareas on screen that have neither a <label> nor an aria-label. */
export async function unlabelledFields(page: Page): Promise<string[]> {
  // Plain JavaScript run in the page: the project's TypeScript has no DOM types.
  return page.evaluate(`[...document.querySelectorAll('main input, main select, main textarea')]
    .filter((i) => i.offsetParent !== null && i.type !== 'hidden' && i.labels.length === 0 && !i.getAttribute('aria-label'))
    .map((i) => i.id || i.name || i.outerHTML.slice(0, 80))`);
}

/** What has keyboard focus, and whether it shows a focus ring a person can see. */
export async function focused(page: Page): Promise<{ tag: string; id: string; label: string; text: string; ring: boolean }> {
  return page.evaluate(`(() => {
    const a = document.activeElement;
    const s = getComputedStyle(a);
    const ring = (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2) || (s.boxShadow && s.boxShadow !== 'none');
    return { tag: a.tagName.toLowerCase(), id: a.id, label: a.getAttribute('aria-label') || '', text: (a.textContent || '').trim(), ring: Boolean(ring) };
  })()`);
}
