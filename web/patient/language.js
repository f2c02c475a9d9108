// The pages' language (SPEC §6, issue 13): the clinic's languages from GET /api/languages, a switch
// in the header when there is more than one, the choice kept in localStorage. The account's
// language is the last choice made on either channel: choosing here while logged in saves it to
// the account (PATCH /api/me), so the IVR and SMS follow; a choice made before logging in (in this
// tab) is saved at log-in; otherwise log-in and every page load take the account's language.
import { request } from '../lib/api.js';
import { $, $select, el, show } from '../lib/dom.js';
import { language, setTexts, translate } from '../lib/i18n.js';
import { onSignIn, api, session } from './session.js';

const CHOSEN_KEY = 'medq.language';
/** A choice made in this tab while logged out, not yet saved to an account. */
const PENDING_KEY = 'medq.language.pending';

/** @type {{ default: string, languages: Array<{ code: string, name: string }> }} */
let offered = { default: '', languages: [] };
/** @type {() => void} */
let rerender = () => {};

const isOffered = (/** @type {unknown} */ code) => typeof code === 'string' && offered.languages.some((l) => l.code === code);

function stored(/** @type {Storage} */ store, /** @type {string} */ key) {
  try {
    return store.getItem(key);
  } catch {
    return null;
  }
}

/**
 * Loads a language's texts and shows the page in it.
 * @param {string} code
 */
async function display(code) {
  if (code === language()) return true;
  const r = await request('GET', `/api/languages/${encodeURIComponent(code)}/web`, undefined, null, { cache: 'default' });
  if (!r.ok || !r.data?.texts) return false;
  setTexts(code, r.data.texts);
  translate();
  $select('lang-select').value = code;
  return true;
}

/**
 * Shows the page in a language and remembers it (on this browser; on the account when told).
 * @param {string} code
 * @param {'user' | 'account'} why user: picked in the switch; account: the account's language
 */
async function useLanguage(code, why) {
  if (!isOffered(code)) return;
  const changed = code !== language();
  if (!(await display(code))) return;
  try {
    localStorage.setItem(CHOSEN_KEY, code);
  } catch {
    // Private mode without storage: the choice lasts for this page only.
  }
  if (why === 'user') {
    const s = session();
    if (s && !s.mustChange) await saveToAccount(code);
    else sessionStorage.setItem(PENDING_KEY, code);
  }
  if (changed) rerender();
}

/** @param {string} code */
async function saveToAccount(code) {
  const r = await api('PATCH', '/api/me', { language: code }, { auth: true });
  if (r.ok) sessionStorage.removeItem(PENDING_KEY);
}

/** After log-in (and on a page load with a session): the latest choice wins, see above. */
async function followAccount() {
  const s = session();
  if (!s) return;
  const pending = stored(sessionStorage, PENDING_KEY);
  // An account that must change its password cannot write yet: it saves after the change.
  if (isOffered(pending) && !s.mustChange) return saveToAccount(/** @type {string} */ (pending));
  if (isOffered(pending)) return;
  const r = await api('GET', '/api/me', undefined, { auth: true });
  if (r.ok && isOffered(r.data?.language)) await useLanguage(r.data.language, 'account');
}

/**
 * Loads the clinic's languages and the texts of the one to show; builds the switch.
 * @param {() => void} onChange redraws the page in the new language
 */
export async function startLanguage(onChange) {
  const r = await request('GET', '/api/languages', undefined, null, { cache: 'default' });
  if (!r.ok || !Array.isArray(r.data?.languages) || r.data.languages.length === 0) return false;
  offered = r.data;
  const select = $select('lang-select');
  select.replaceChildren(...offered.languages.map((l) => el('option', { value: l.code, lang: l.code, text: l.name })));
  show($('lang-switch'), offered.languages.length > 1);
  const saved = stored(localStorage, CHOSEN_KEY);
  if (!(await display(isOffered(saved) ? /** @type {string} */ (saved) : offered.default))) return false;
  rerender = onChange;
  select.addEventListener('change', () => useLanguage(select.value, 'user'));
  onSignIn(() => void followAccount());
  void followAccount();
  return true;
}
