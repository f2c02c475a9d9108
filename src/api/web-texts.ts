// The page strings of each language the clinic offers (src/locales/<lang>/web.json, SPEC §6):
// a flat map of key → text, checked when the API starts so a missing or broken file is one clear
// line at start-up, never a half-translated page.
import { createHash } from 'node:crypto';
import { ConfigError } from '../config/index.js';
import { readLocale } from '../shared/locales.js';

export interface WebTexts {
  language: string;
  /** The language's own name ("हिन्दी"), for the switch. */
  name: string;
  texts: Record<string, string>;
  /** A content hash: the answer's ETag. */
  etag: string;
}

const loaded = new Map<string, WebTexts>();

/** The page strings of one language; throws ConfigError naming LANGUAGES when they are missing or not key → text. */
export function webTexts(language: string): WebTexts {
  const hit = loaded.get(language);
  if (hit) return hit;
  let raw: unknown;
  try {
    raw = readLocale(language, 'web');
  } catch (e) {
    throw new ConfigError('LANGUAGES', `"${language}" has no page texts: add src/locales/${language}/web.json or remove it (${e instanceof Error ? e.message : String(e)})`);
  }
  if (!raw || typeof raw !== 'object' || Array.isArray(raw) || Object.values(raw).some((v) => typeof v !== 'string')) {
    throw new ConfigError('LANGUAGES', `src/locales/${language}/web.json must be one object of key → text`);
  }
  const texts = raw as Record<string, string>;
  const name = texts['meta.language_name'];
  if (!name) throw new ConfigError('LANGUAGES', `src/locales/${language}/web.json has no "meta.language_name"`);
  const etag = `"${createHash('sha256').update(JSON.stringify(texts)).digest('base64url').slice(0, 22)}"`;
  const out = { language, name, texts, etag };
  loaded.set(language, out);
  return out;
}

/** Every offered language has its page strings (called when the API is built). */
export function assertWebTexts(languages: readonly string[]): void {
  for (const l of languages) webTexts(l);
}
