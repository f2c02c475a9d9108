// Languages are data (SPEC §6, issue 13): src/locales/<lang>/{ivr,sms,web}.json hold every text a
// caller hears, an SMS says and a page shows. Adding a language is adding that folder (and running
// `npm run prompts` for its audio); no code names a language other than the English default.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export type LocaleArea = 'ivr' | 'sms' | 'web';
export const LOCALE_AREAS: readonly LocaleArea[] = ['ivr', 'sms', 'web'];

let folder: string | undefined;

/** src/locales in the package (from src/ under tsx, from dist/src/ when compiled, /app in the image). */
export function localesFolder(): string {
  if (folder) return folder;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    const candidate = resolve(dir, 'src/locales');
    if (existsSync(candidate)) return (folder = candidate);
    dir = dirname(dir);
  }
  throw new Error('src/locales not found above ' + fileURLToPath(import.meta.url));
}

/** The languages that have a file for this area. */
export function languagesWith(area: LocaleArea): string[] {
  return readdirSync(localesFolder(), { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(resolve(localesFolder(), d.name, `${area}.json`)))
    .map((d) => d.name)
    .sort();
}

const cache = new Map<string, unknown>();

/** The parsed texts of one language and area (read once per process). Throws when missing. */
export function readLocale<T = Record<string, unknown>>(lang: string, area: LocaleArea): T {
  const key = `${lang}/${area}`;
  if (!cache.has(key)) {
    const file = resolve(localesFolder(), lang, `${area}.json`);
    if (!/^[a-z]{2,3}$/.test(lang) || !existsSync(file)) throw new Error(`no ${area} texts for language "${lang}" (${file})`);
    cache.set(key, JSON.parse(readFileSync(file, 'utf8')));
  }
  return cache.get(key) as T;
}
