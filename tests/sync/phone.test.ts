import { describe, expect, it } from 'vitest';
import { normalizePhone } from '../../src/phone/index.js';

describe('phone normalisation (SPEC §3)', () => {
  it.each(['9999999999', '09999999999', '919999999999', '+91 99999 99999', ' 919999999999', '+919999999999', '0091 99999-99999'])(
    '%j is +919999999999',
    (input) => {
      expect(normalizePhone(input, 'IN')).toEqual({ ok: true, phone: '+919999999999' });
    },
  );

  it.each(['', '12345', 'abc', '99999', '+91 12', '999999999999999999', 'DROP TABLE', '+0000000000', '1111111111'])(
    'refuses %j with invalid_phone and a sentence',
    (input) => {
      const r = normalizePhone(input, 'IN');
      expect(r.ok).toBe(false);
      if (!r.ok) {
        expect(r.code).toBe('invalid_phone');
        expect(r.message).toMatch(/not a valid phone number\.$/);
      }
    },
  );

  it('uses DEFAULT_REGION for national numbers and keeps foreign numbers', () => {
    expect(normalizePhone('020 7946 0958', 'GB')).toEqual({ ok: true, phone: '+442079460958' });
    expect(normalizePhone('+1 415 555 2671', 'IN')).toEqual({ ok: true, phone: '+14155552671' });
  });

  it('refuses non-strings', () => {
    expect(normalizePhone(undefined, 'IN').ok).toBe(false);
    expect(normalizePhone({}, 'IN').ok).toBe(false);
  });
});
