// India's DLT (SPEC §7): operators drop a message that is not one of the sender's registered
// templates. A kind's template is its catalog text with CLINIC_BRAND written in and every other
// placeholder as DLT's `{#var#}` (at most 30 characters each). With DLT_ENTITY_ID set, every
// submit_sm part carries the entity id and the template id of its kind and language as TLVs.
import { readFileSync } from 'node:fs';
import { SMS_KINDS, type SmsKind } from '../db/schema.js';
import { ConfigError, type Config } from '../config/index.js';
import { placeholdersOf, smsCatalog, smsLanguages, smsTextsIn, type AppointmentText, type SmsCatalogError } from './texts.js';

export const DLT_VAR = '{#var#}';
/** The most characters one `{#var#}` stands for. */
export const DLT_VAR_MAX = 30;

/** The registrable template of a kind in a language: `{brand}` written in, every other placeholder `{#var#}`. */
export function dltTemplate(language: string, kind: SmsKind, brand: string): string {
  const text = smsCatalog(language).texts[kind];
  return text.replace(/\{([a-z_]+)\}/g, (_, name: string) => (name === 'brand' ? brand : DLT_VAR));
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** What the operator's scrubber does: the fixed words exactly, each `{#var#}` any 0–30 characters. */
export function templatePattern(template: string): RegExp {
  const body = template.split(DLT_VAR).map(escape).join(`[^]{0,${DLT_VAR_MAX}}`);
  return new RegExp(`^${body}$`, 'u');
}

/**
 * Every text MedQ can send for a kind, with sample values (short and long ones, every reminder
 * ending), through the same functions the sync module writes them with.
 */
export function sampleTexts(language: string, kind: SmsKind, brand: string): string[] {
  const t = smsTextsIn(language);
  const appts: AppointmentText[] = [];
  // Every weekday and month of a year: the longest dates in this language are among them.
  for (let m = 1; m <= 12; m++) {
    for (const day of [1, 3, 5, 7, 9, 11, 13, 28]) {
      const date = `2027-${String(m).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
      appts.push({ doctorName: 'Dr. Sharma', date, time: '09:05', token: 'S-3' });
    }
  }
  // A long name (30 characters once "Dr" is dropped), a late time, a long token.
  appts.push({ doctorName: 'Dr Venkataraghavan Subramaniyan', date: '2027-09-22', time: '23:59', token: 'V-1200' });
  const phones = ['+919999999999', '+914012345678'];
  switch (kind) {
    case 'sync':
      return [t.sync()];
    case 'linked':
      return [t.linked()];
    case 'welcome':
      return phones.map((p) => t.welcome(brand, p, 'K7Q2ZP4M'));
    case 'otp':
      return ['000000', '493817'].map((c) => t.otp(brand, c));
    case 'confirmation':
      return appts.map((a) => t.confirmation(brand, a));
    case 'cancellation':
      return appts.map((a) => t.cancellation(brand, a));
    case 'reminder':
      return appts.flatMap((a) => [
        t.reminder(brand, a, null),
        t.reminder(brand, a, { kind: 'reply' }),
        ...phones.map((phone) => t.reminder(brand, a, { kind: 'call', phone })),
      ]);
    case 'queue_near':
      return [
        t.queueNear(brand, 'City Clinic', 'S-1', appts[0]!),
        t.queueNear(brand, 'Sri Venkateswara Family Clinic', 'V-1198', appts[appts.length - 1]!),
      ];
    case 'nothing_to_cancel':
      return [t.nothingToCancel(brand)];
    case 'opted_out':
      return [t.optedOut(brand)];
    case 'opted_in':
      return [t.optedIn(brand)];
    case 'help':
      return [t.help(brand)];
  }
}

export interface DltEntry {
  id: string;
  /** The template text as the clinic registered it, when the file records it. */
  text?: string;
}

/** DLT_TEMPLATES: kind → language → id, or { id, text }. */
export type DltTemplateFile = Partial<Record<SmsKind, Record<string, DltEntry>>>;

const ID = /^[\x21-\x7e]{1,64}$/;

/** Reads and checks the shape of the DLT_TEMPLATES file (not its completeness). */
export function readDltTemplates(path: string): DltTemplateFile {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new ConfigError('DLT_TEMPLATES', `cannot read ${path}: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new ConfigError('DLT_TEMPLATES', `${path} must hold a JSON object: kind → language → template id`);
  }
  const out: DltTemplateFile = {};
  for (const [kind, byLang] of Object.entries(raw as Record<string, unknown>)) {
    if (!(SMS_KINDS as readonly string[]).includes(kind)) {
      throw new ConfigError('DLT_TEMPLATES', `unknown SMS kind "${kind}" in ${path} (kinds: ${SMS_KINDS.join(', ')})`);
    }
    if (byLang === null || typeof byLang !== 'object' || Array.isArray(byLang)) {
      throw new ConfigError('DLT_TEMPLATES', `kind ${kind}: must map each language to a template id`);
    }
    const entries: Record<string, DltEntry> = {};
    for (const [lang, v] of Object.entries(byLang as Record<string, unknown>)) {
      const entry = typeof v === 'string' ? { id: v } : (v as Partial<DltEntry> | null);
      if (!entry || typeof entry.id !== 'string' || !ID.test(entry.id) || (entry.text !== undefined && typeof entry.text !== 'string')) {
        throw new ConfigError('DLT_TEMPLATES', `kind ${kind}, language ${lang}: must be a template id, or { "id": "…", "text": "…" }`);
      }
      entries[lang] = entry.text === undefined ? { id: entry.id } : { id: entry.id, text: entry.text };
    }
    out[kind as SmsKind] = entries;
  }
  return out;
}

export interface Dlt {
  entityId: string;
  tlvEntity: number;
  tlvTemplate: number;
  /** The clinic default (rows written before languages carry none). */
  defaultLanguage: string;
  /** The template id of a kind in a language (the default language's when that one has none). */
  templateId(kind: SmsKind, language: string | null): string | undefined;
  /** Whether a text would pass the operator's template check. */
  matches(kind: SmsKind, language: string | null, text: string): boolean;
}

export type DltConfig = Pick<Config, 'dltEntityId' | 'dltTemplates' | 'dltTlvEntity' | 'dltTlvTemplate' | 'languages' | 'clinicBrand'>;

/**
 * The start-up check of the processes that send SMS: null without DLT_ENTITY_ID (nothing changes);
 * else every kind × language has an id, every text MedQ can send matches its kind's template, and a
 * registered text equals the template. Anything else is a ConfigError naming the kind and language.
 */
export function loadDlt(config: DltConfig): Dlt | null {
  if (config.dltEntityId === null) return null;
  if (!ID.test(config.dltEntityId)) throw new ConfigError('DLT_ENTITY_ID', 'must be the entity id DLT gave you (digits, no spaces)');
  if (config.dltTemplates === null) {
    throw new ConfigError('DLT_TEMPLATES', 'is required when DLT_ENTITY_ID is set: a JSON file kind → language → template id (`npm run sms:templates` prints what to register)');
  }
  const file = readDltTemplates(config.dltTemplates);
  const languages = smsLanguages(config.languages);
  const ids = new Map<string, string>();
  const patterns = new Map<string, RegExp>();
  for (const language of languages) {
    for (const kind of SMS_KINDS) {
      const where = `kind ${kind}, language ${language}`;
      const entry = file[kind]?.[language];
      if (!entry) throw new ConfigError('DLT_TEMPLATES', `${where}: no template id in ${config.dltTemplates}`);
      let template: string;
      try {
        template = dltTemplate(language, kind, config.clinicBrand);
      } catch (e) {
        throw new ConfigError('LANGUAGES', (e as SmsCatalogError).message);
      }
      if (entry.text !== undefined && entry.text !== template) {
        throw new ConfigError(
          'DLT_TEMPLATES',
          `${where}: MedQ's text ${JSON.stringify(template)} differs from the registered template ${JSON.stringify(entry.text)}; operators drop such messages (register the new text, or keep the old one)`,
        );
      }
      const pattern = templatePattern(template);
      const bad = sampleTexts(language, kind, config.clinicBrand).find((s) => !pattern.test(s));
      if (bad !== undefined) {
        throw new ConfigError(
          'DLT_TEMPLATES',
          `${where}: the text ${JSON.stringify(bad)} does not match its template ${JSON.stringify(template)} (a ${DLT_VAR} stands for at most ${DLT_VAR_MAX} characters)`,
        );
      }
      ids.set(`${kind}/${language}`, entry.id);
      patterns.set(`${kind}/${language}`, pattern);
    }
  }
  const defaultLanguage = languages[0]!;
  const key = (kind: SmsKind, language: string | null) => {
    const k = `${kind}/${language ?? defaultLanguage}`;
    return ids.has(k) ? k : `${kind}/${defaultLanguage}`;
  };
  return {
    entityId: config.dltEntityId,
    tlvEntity: config.dltTlvEntity,
    tlvTemplate: config.dltTlvTemplate,
    defaultLanguage,
    templateId: (kind, language) => ids.get(key(kind, language)),
    matches: (kind, language, text) => patterns.get(key(kind, language))?.test(text) ?? false,
  };
}

/** The placeholders of a template a clinic sees in `npm run sms:templates`. */
export function variablesOf(language: string, kind: SmsKind): string[] {
  return placeholdersOf(smsCatalog(language).texts[kind]).filter((p) => p !== 'brand');
}
