// The repository documents itself (issue 9 item 9): docs/ covers every route, error code, setting
// and SMS text the code has, the README and the OpenAPI document point there (not to a contract
// file outside the repository), and every relative link resolves.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STATUS_OF } from '../../src/api/errors.js';
import { smsText } from '../../src/sms/texts.js';
import { startApi, type TestApi } from '../api/helpers.js';

const ROOT = resolve(import.meta.dirname, '../..');
const doc = (name: string) => readFileSync(join(ROOT, 'docs', name), 'utf8');

describe('docs/', () => {
  let api: TestApi;
  let openapi: { info: { description: string }; paths: Record<string, Record<string, { summary?: string; description?: string }>> };
  beforeAll(async () => {
    api = await startApi();
    openapi = (await api.call('GET', '/docs/json')).body;
  });
  afterAll(async () => api?.close());

  it('api.md names every route the OpenAPI document has', () => {
    const text = doc('api.md');
    const paths = Object.keys(openapi.paths).map((p) => p.replace(/\{(\w+)\}/g, ':$1'));
    expect(paths.length).toBeGreaterThan(20);
    expect(paths.filter((p) => !text.includes(`\`${p}`) && !text.includes(`${p}\``) && !text.includes(` ${p}`))).toEqual([]);
  });

  it('api.md explains every error code the API answers with', () => {
    const text = doc('api.md');
    const api = readdirSync(join(ROOT, 'src/api'), { recursive: true, encoding: 'utf8' })
      .filter((f) => f.endsWith('.ts'))
      .flatMap((f) => [...readFileSync(join(ROOT, 'src/api', f), 'utf8').matchAll(/ApiError\(\d+, '([a-z_]+)'|error: '([a-z_]+)'/g)].map((m) => m[1] ?? m[2]!));
    const codes = new Set([...Object.keys(STATUS_OF), ...api]);
    expect([...codes].filter((c) => !text.includes(`\`${c}\``))).toEqual([]);
  });

  it('settings.md describes every variable of .env.example', () => {
    const text = doc('settings.md');
    const vars = [...readFileSync(join(ROOT, '.env.example'), 'utf8').matchAll(/^([A-Z_]+)=/gm)].map((m) => m[1]!);
    expect(vars.length).toBeGreaterThan(30);
    expect(vars.filter((v) => !text.includes(`| \`${v}\` |`))).toEqual([]);
  });

  it('sms.md has every SMS text, word for word', () => {
    const text = doc('sms.md');
    const a = { doctorName: 'Dr. {doctor}', date: '2026-12-02', time: '{time}', token: '{token}' };
    const d = (t: string) => t.replace('Wed 2 Dec', '{date}');
    const texts = [
      smsText.sync(),
      smsText.linked(),
      d(smsText.confirmation('MedQ', a)),
      d(smsText.cancellation('MedQ', a)),
      d(smsText.reminder('MedQ', a, { kind: 'reply' })),
      smsText.queueNear('MedQ', '{clinic}', '{now}', a),
      smsText.otp('MedQ', '{code}'),
      smsText.nothingToCancel('MedQ'),
      smsText.optedOut('MedQ'),
      smsText.optedIn('MedQ'),
      smsText.help('MedQ'),
      ...smsText.welcome('MedQ', '{phone}', '{password}').split('\n'),
    ];
    expect(texts.filter((t) => !text.includes(`\`${t}\``))).toEqual([]);
  });

  it('the README and the OpenAPI document point to docs/, not to a contract outside the repository', () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    expect(readme).not.toMatch(/shared\/SPEC|SPEC §/);
    expect(readme).toContain('docs/api.md');
    expect(openapi.info.description).toContain('docs/api.md');
    const words = Object.values(openapi.paths).flatMap((ops) => Object.values(ops).flatMap((o) => [o.summary ?? '', o.description ?? '']));
    expect(words.filter((w) => /SPEC/.test(w))).toEqual([]);
  });

  it('every relative link in README.md and docs/ resolves', () => {
    const files = ['README.md', ...readdirSync(join(ROOT, 'docs')).map((f) => `docs/${f}`)];
    const broken: string[] = [];
    for (const f of files) {
      for (const m of readFileSync(join(ROOT, f), 'utf8').matchAll(/\]\(([^)#\s]+)(#[^)]*)?\)/g)) {
        if (/^[a-z]+:/.test(m[1]!)) continue;
        if (!existsSync(join(ROOT, dirname(f), m[1]!))) broken.push(`${f}: ${m[1]}`);
      }
    }
    expect(broken).toEqual([]);
  });
});

describe('commands', () => {
  it('every npm command that runs compiled code starts from its own file in src/cli, and no capability folder holds an entry point', () => {
    const scripts = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).scripts as Record<string, string>;
    const entries = Object.entries(scripts).flatMap(([name, cmd]) => [...cmd.matchAll(/node dist\/(src\/\S+)\.js/g)].map((m) => [name, m[1]!] as const));
    expect(entries.length).toBeGreaterThanOrEqual(9);
    for (const [name, entry] of entries) {
      if (name === 'start') expect(entry).toBe('src/main');
      else expect(entry, `npm run ${name}`).toMatch(/^src\/cli\/[a-z-]+$/);
      expect(existsSync(join(ROOT, `${entry}.ts`)), `${entry}.ts`).toBe(true);
    }
    const cliFiles = readdirSync(join(ROOT, 'src/cli')).map((f) => `src/cli/${f.replace(/\.ts$/, '')}`);
    expect(cliFiles.filter((f) => !entries.some(([, e]) => e === f))).toEqual([]);
    const stray = readdirSync(join(ROOT, 'src'), { recursive: true, encoding: 'utf8' }).filter((f) => /-cli\.ts$/.test(f));
    expect(stray).toEqual([]);
  });
});
