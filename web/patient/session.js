// The patient's session: the JWT lives in sessionStorage (gone when the tab closes) and goes out
// as a Bearer token. `api()` is the API client with what a 401/403 means for these pages.
import { request } from '../lib/api.js';
import { t } from '../lib/i18n.js';
import { flash, go, renderNav } from './router.js';

const SESSION_KEY = 'medq.session';

/**
 * @typedef {{ id: number, username: string, name: string, phone_number: string, status: string, role: string }} User
 * @typedef {{ token: string, user: User | null, mustChange: boolean }} Session
 */

/** @returns {Session | null} */
function loadSession() {
  try {
    const s = JSON.parse(sessionStorage.getItem(SESSION_KEY) ?? 'null');
    return s && typeof s.token === 'string' ? s : null;
  } catch {
    return null;
  }
}

/** @type {Session | null} */
let current = loadSession();

export const session = () => current;

/** @param {Session | null} next */
export function saveSession(next) {
  current = next;
  if (next) sessionStorage.setItem(SESSION_KEY, JSON.stringify(next));
  else sessionStorage.removeItem(SESSION_KEY);
  renderNav();
}

/** @type {Array<() => void>} */
const signInHooks = [];
/**
 * Something to do after every sign-in (the language follows the account).
 * @param {() => void} hook
 */
export function onSignIn(hook) {
  signInHooks.push(hook);
}

/**
 * @param {{ token: string, user?: User | null }} data
 * @param {boolean} [mustChange]
 */
export function signIn(data, mustChange = false) {
  saveSession({ token: data.token, user: data.user ?? null, mustChange: Boolean(mustChange) });
  for (const hook of signInHooks) hook();
}

/**
 * @param {string} method
 * @param {string} path
 * @param {unknown} [body]
 * @param {{ auth?: boolean, keepSessionOn401?: boolean }} [opts]
 */
export async function api(method, path, body, { auth = false, keepSessionOn401 = false } = {}) {
  const r = await request(method, path, body, auth && current ? current.token : null);
  if (!r.ok && auth && current) {
    if (r.status === 401 && !keepSessionOn401) {
      // The token expired or was ended by a password change elsewhere.
      saveSession(null);
      flash(r.data.message || t('errors.session_ended'), 'info');
      go('login');
    } else if (r.status === 403 && r.data.error === 'password_change_required') {
      // A temporary password (IVR account) must be replaced before booking or cancelling.
      saveSession({ ...current, mustChange: true });
      flash(t('change.first'), 'info');
      go('change-password');
    }
  }
  return r;
}
