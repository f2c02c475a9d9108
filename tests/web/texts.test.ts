// The page strings as data (issue 13): every language has the same keys as English, using only
// the {values} English fills, and every key the patient pages use exists. A page module with a missing key would
// show the key itself; one with an English literal would show English in every language.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { languagesWith, readLocale } from '../../src/shared/locales.js';
import { WEB_ROOT } from './browser.js';

const texts = (lang: string) => readLocale<Record<string, string>>(lang, 'web');
const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
const patientModules = () => [
  ...readdirSync(join(WEB_ROOT, 'patient')).map((f) => join(WEB_ROOT, 'patient', f)),
  join(WEB_ROOT, 'app.js'),
];

describe('page strings', () => {
  it('en and hi exist, and every language has exactly the keys of English; its {values} are ones English fills', () => {
    expect(languagesWith('web')).toEqual(expect.arrayContaining(['en', 'hi']));
    const en = texts('en');
    for (const lang of languagesWith('web')) {
      const other = texts(lang);
      expect(Object.keys(other).sort(), lang).toEqual(Object.keys(en).sort());
      for (const [key, text] of Object.entries(en)) {
        expect(typeof other[key], `${lang} ${key}`).toBe('string');
        expect(other[key]!.trim(), `${lang} ${key}`).not.toBe('');
        // A language may leave a value out (Hindi's field error does not quote the API's English).
        expect(placeholders(text), `${lang} ${key}`).toEqual(expect.arrayContaining(placeholders(other[key]!)));
      }
    }
  });

  it('Hindi is written in Devanagari: no Latin word in any Hindi text but the brand and SMS-free codes', () => {
    for (const [key, text] of Object.entries(texts('hi'))) {
      if (key.startsWith('meta.')) continue;
      const latin = text.replace(/\{\w+\}/g, '').replace(/MedQ/g, '').match(/[A-Za-z]{2,}/g);
      expect(latin, key).toBeNull();
    }
  });

  it('every key the patient page and its modules name exists', () => {
    const en = texts('en');
    const html = readFileSync(join(WEB_ROOT, 'index.html'), 'utf8');
    const keys = new Set<string>();
    for (const m of html.matchAll(/data-i18n="([^"]+)"/g)) keys.add(m[1]!);
    for (const m of html.matchAll(/data-i18n-attr="([^"]+)"/g)) for (const pair of m[1]!.split(',')) keys.add(pair.split(':')[1]!.trim());
    for (const file of patientModules()) {
      const src = readFileSync(file, 'utf8');
      for (const m of src.matchAll(/\bt\('([a-z_]+\.[a-z_.]+)'/g)) keys.add(m[1]!);
      for (const m of src.matchAll(/\btn\('([a-z_]+\.[a-z_.]+)'/g)) {
        keys.add(`${m[1]}.one`);
        keys.add(`${m[1]}.other`);
      }
    }
    expect(keys.size).toBeGreaterThan(100);
    expect([...keys].filter((k) => !(k in en))).toEqual([]);
  });

  it('the patient page modules carry no English sentence of their own (texts come from web.json)', () => {
    const found: string[] = [];
    for (const file of patientModules()) {
      const code = readFileSync(file, 'utf8')
        .split('\n')
        .filter((line) => !/^\s*(\/\/|\*|\/\*\*)/.test(line));
      for (const line of code) {
        // A quoted run of two or more capitalised-then-lower-case words is a sentence for a person.
        for (const m of line.matchAll(/(['"`])([A-Z][a-z]+(?: [a-z]+)+[^'"`]*)\1/g)) found.push(`${file.replace(WEB_ROOT, '')}: ${m[2]}`);
      }
    }
    expect(found).toEqual([]);
  });
});
