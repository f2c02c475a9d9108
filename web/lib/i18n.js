// Page strings as data (SPEC §6): the texts of one language from GET /api/languages/:code/web
// (src/locales/<code>/web.json), a flat map of key → text where {name} marks a value filled in.
// Markup names its strings with data-i18n="key" (text) and data-i18n-attr="attr:key,attr:key".
// Pages that never load texts (the staff pages) get the English fallbacks the lib modules carry.

/** @type {Record<string, string>} */
let texts = {};
let current = '';

/** The language shown, '' before any texts are loaded. */
export const language = () => current;
/** @param {string} key */
export const has = (key) => Object.prototype.hasOwnProperty.call(texts, key);
/** The BCP 47 locale for Intl (hi-IN, en-GB…). */
export const intlLocale = () => texts['meta.intl_locale'] || current || 'en-GB';

/**
 * @param {string} template
 * @param {Record<string, string | number>} params
 */
function fill(template, params) {
  return template.replace(/\{(\w+)\}/g, (m, name) => (name in params ? String(params[name]) : m));
}

/**
 * The text of a key with its {values} filled in; the key itself when missing (a bug the key test catches).
 * @param {string} key
 * @param {Record<string, string | number>} [params]
 */
export function t(key, params = {}) {
  const s = texts[key];
  return s === undefined ? key : fill(s, params);
}

/**
 * A counted text: `key.one` / `key.other` chosen by the language's plural rules.
 * @param {string} key
 * @param {number} count
 * @param {Record<string, string | number>} [params]
 */
export function tn(key, count, params = {}) {
  const form = new Intl.PluralRules(intlLocale()).select(count);
  const k = has(`${key}.${form}`) ? `${key}.${form}` : `${key}.other`;
  return t(k, { ...params, count });
}

/**
 * A text with elements in it ("We sent a code to {phone}."): the parts to append, in order.
 * @param {string} key
 * @param {Record<string, Node | string>} parts
 * @returns {Array<Node | string>}
 */
export function tParts(key, parts) {
  const template = texts[key] ?? key;
  /** @type {Array<Node | string>} */
  const out = [];
  let last = 0;
  for (const m of template.matchAll(/\{(\w+)\}/g)) {
    const part = parts[/** @type {string} */ (m[1])];
    if (part === undefined) continue;
    out.push(template.slice(last, m.index));
    out.push(part);
    last = (m.index ?? 0) + m[0].length;
  }
  out.push(template.slice(last));
  return out.filter((p) => p !== '');
}

/**
 * Sets every data-i18n text and data-i18n-attr attribute under root.
 * @param {ParentNode} [root]
 */
export function translate(root = document) {
  for (const node of /** @type {NodeListOf<HTMLElement>} */ (root.querySelectorAll('[data-i18n]'))) {
    node.textContent = t(node.dataset['i18n'] ?? '');
  }
  for (const node of /** @type {NodeListOf<HTMLElement>} */ (root.querySelectorAll('[data-i18n-attr]'))) {
    for (const pair of (node.dataset['i18nAttr'] ?? '').split(',')) {
      const [attr, key] = pair.split(':').map((s) => s.trim());
      if (attr && key) node.setAttribute(attr, t(key));
    }
  }
}

/**
 * Makes a language's texts the current ones (the caller fetched them).
 * @param {string} code
 * @param {Record<string, string>} strings
 */
export function setTexts(code, strings) {
  texts = strings;
  current = code;
  document.documentElement.lang = code;
}

/**
 * The sentence to show for an API error, in the page's language: the text for its code when the
 * language has one, else the server's own (English) sentence. Null when no texts are loaded.
 * @param {number} status
 * @param {any} data
 * @returns {string | null}
 */
export function errorText(status, data) {
  if (!current) return null;
  const code = typeof data?.error === 'string' ? data.error : '';
  if (status === 429 && code !== 'too_many_codes') {
    const wait = Number(data?.retry_after);
    return wait > 0 ? tn('errors.rate_limited_minutes', Math.ceil(wait / 60)) : t('errors.rate_limited');
  }
  // The same code means "wrong current password" on a password change.
  if (code === 'invalid_credentials' && status === 400) return t('errors.invalid_current_password');
  if (code === 'validation_error') {
    /** @type {any[]} */
    const details = Array.isArray(data?.details) ? data.details : [];
    const reason = details.find((d) => typeof d?.reason === 'string' && has(`errors.${d.reason}`))?.reason;
    if (reason) return t(`errors.${reason}`);
  }
  if (code && code !== 'validation_error' && has(`errors.${code}`)) return t(`errors.${code}`, { doctor: '' });
  if (status === 0) return t('errors.network');
  if (status >= 500) return t('errors.server');
  return t('errors.generic');
}
