// The SMS catalogs (src/locales/<lang>/sms.json): complete, exact placeholders, English as SPEC §7.
import { describe, expect, it } from 'vitest';
import { languagesWith, readLocale } from '../../src/shared/locales.js';
import { SMS_TEXT_KEYS, SmsCatalogError, smsCatalog, smsDateIn, smsTextsFor, validateSmsCatalog } from '../../src/sms/texts.js';

describe('SMS catalogs', () => {
  it('English and Hindi are complete, every entry with exactly its placeholders', () => {
    expect(languagesWith('sms')).toEqual(expect.arrayContaining(['en', 'hi']));
    for (const lang of languagesWith('sms')) expect(() => smsCatalog(lang)).not.toThrow();
  });

  it('a catalog with a missing entry or a wrong placeholder is refused, naming the entry', () => {
    const hi = structuredClone(readLocale<{ texts: Record<string, string> }>('hi', 'sms'));
    hi.texts.otp = hi.texts.otp!.replace('{code}', '{cod}');
    expect(() => validateSmsCatalog('hi', hi)).toThrow(SmsCatalogError);
    expect(() => validateSmsCatalog('hi', hi)).toThrow(/hi\/sms\.json: otp: must have the placeholders \{brand\} \{code\}/);
    const en = structuredClone(readLocale<{ texts: Record<string, string> }>('en', 'sms'));
    delete en.texts.reminder_call;
    expect(() => validateSmsCatalog('en', en)).toThrow(/en\/sms\.json: reminder_call: missing/);
    expect(SMS_TEXT_KEYS).toContain('reminder_reply');
  });

  it('dates in each language: "Wed 2 Dec", "बुध 2 दिसंबर"; an unknown or unoffered language falls back to the default', () => {
    expect(smsDateIn('en', '2026-12-02')).toBe('Wed 2 Dec');
    expect(smsDateIn('en', '2027-09-05')).toBe('Sun 5 Sep');
    expect(smsDateIn('hi', '2026-12-02')).toBe('बुध 2 दिसंबर');
    expect(smsDateIn('hi', '2027-02-01')).toBe('सोम 1 फ़रवरी');
    expect(smsTextsFor('hi', ['en', 'hi']).language).toBe('hi');
    expect(smsTextsFor('hi', ['en']).language).toBe('en');
    expect(smsTextsFor(null, ['hi', 'en']).language).toBe('hi');
    expect(smsTextsFor('ta', ['ta', 'en']).language).toBe('en'); // no Tamil SMS texts: the next language that has them
  });
});
