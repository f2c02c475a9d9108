// Dates and times. Appointment dates are the clinic's local dates ("YYYY-MM-DD", "HH:MM"), shown
// in the page's language (Intl with its locale, in the order its texts give).
import { has, intlLocale, t } from './i18n.js';

export const DEFAULT_TZ = 'Asia/Kolkata';

/**
 * "YYYY-MM-DD HH:MM" now in a timezone.
 * @param {string | undefined} timezone
 */
export function nowIn(timezone) {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-CA', {
      timeZone: timezone || DEFAULT_TZ,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    })
      .formatToParts(new Date())
      .map((p) => [p.type, p.value]),
  );
  return `${parts['year']}-${parts['month']}-${parts['day']} ${parts['hour']}:${parts['minute']}`;
}

/** @param {string | undefined} timezone */
export const todayIn = (timezone) => nowIn(timezone).slice(0, 10);

/**
 * @param {string} isoDate
 * @param {number} n
 */
export function addDays(isoDate, n) {
  const d = new Date(`${isoDate}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}

/**
 * "Mon 30 Nov 2026" (style short) or "Monday 30 November 2026" (long) in English, "सोम, 30 नव॰
 * 2026" in Hindi: Intl's words in the order of the language's meta.date_short/long (the same in
 * every browser). The date is already the clinic's, so it is formatted as UTC.
 * @param {string} iso
 * @param {'short' | 'long'} style
 */
function dateText(iso, style) {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(iso)) return iso;
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat(intlLocale(), { weekday: style, day: 'numeric', month: style, year: 'numeric', timeZone: 'UTC' })
      .formatToParts(new Date(`${iso}T00:00:00Z`))
      .map((p) => [p.type, p.value]),
  );
  const pattern = has(`meta.date_${style}`) ? t(`meta.date_${style}`) : '{weekday} {day} {month} {year}';
  return pattern.replace(/\{(weekday|day|month|year)\}/g, (_m, k) => parts[k] ?? '');
}

/**
 * A clinic time "HH:MM" in the page's language (24-hour, as the clinic's schedule and tokens use).
 * @param {string} hhmm
 */
export function formatTime(hhmm) {
  const m = /^(\d{2}):(\d{2})$/.exec(hhmm);
  if (!m) return hhmm;
  return new Intl.DateTimeFormat(intlLocale(), { hour: '2-digit', minute: '2-digit', hourCycle: 'h23', timeZone: 'UTC' }).format(
    new Date(Date.UTC(2000, 0, 1, Number(m[1]), Number(m[2]))),
  );
}
/** @param {string} iso */
export const formatDate = (iso) => dateText(iso, 'short');
/** @param {string} iso */
export const formatLongDate = (iso) => dateText(iso, 'long');
