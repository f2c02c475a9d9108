// The reception pages' frame: the staff session (JWT in sessionStorage, role staff), the API
// client with what a 401/403 means here, the hash router and the flash message.
import { request } from '../lib/api.js';
import { $, show } from '../lib/dom.js';

const SESSION_KEY = 'medq.staff';
export const VIEWS = ['login', 'today', 'book', 'schedules'];

/** @typedef {{ token: string, name: string, username: string }} StaffSession */

/** @returns {StaffSession | null} */
function loadSession() {
  try {
    const s = JSON.parse(sessionStorage.getItem(SESSION_KEY) ?? 'null');
    return s && typeof s.token === 'string' ? s : null;
  } catch {
    return null;
  }
}

/** @type {StaffSession | null} */
let current = loadSession();
export const staffSession = () => current;

/** @param {StaffSession | null} next */
export function saveStaffSession(next) {
  current = next;
  if (next) sessionStorage.setItem(SESSION_KEY, JSON.stringify(next));
  else sessionStorage.removeItem(SESSION_KEY);
  renderNav();
}

/**
 * The API with the staff token. A 401 (expired or ended token) or 403 (not staff) ends the session.
 * @param {string} method
 * @param {string} path
 * @param {unknown} [body]
 */
export async function staffApi(method, path, body) {
  const r = await request(method, path, body, current?.token ?? null);
  if (current && (r.status === 401 || (r.status === 403 && r.data?.error === 'forbidden'))) {
    saveStaffSession(null);
    flash(r.status === 401 ? 'Your session has ended. Please log in again.' : r.data.message, 'info');
    go('login');
  }
  return r;
}

/** @type {Record<string, () => void>} */
const enter = {};
/** @type {Record<string, () => void>} */
const leave = {};
/** @type {{ message: string, kind: string } | null} */
let flashMessage = null;
let shown = '';

/**
 * @param {string} name
 * @param {() => void} onEnter
 * @param {() => void} [onLeave]
 */
export function registerView(name, onEnter, onLeave) {
  enter[name] = onEnter;
  if (onLeave) leave[name] = onLeave;
}

/**
 * @param {string} message
 * @param {'success' | 'info' | 'error'} [kind]
 */
export function flash(message, kind = 'success') {
  flashMessage = { message, kind };
}

/**
 * Shows a message now, on the page already shown.
 * @param {string} message
 * @param {'success' | 'info' | 'error'} [kind]
 */
export function flashNow(message, kind = 'success') {
  const box = $('flash');
  box.className = `flash alert alert-${kind}`;
  box.textContent = message;
}

/** @param {string} view */
export function go(view) {
  const hash = `#/${view}`;
  if (location.hash !== hash) history.pushState(null, '', hash);
  route();
}

export function route() {
  const name = location.hash.replace(/^#\/?/, '').split('?')[0] ?? '';
  let view = VIEWS.includes(name) ? name : 'today';
  if (!current) view = 'login';
  else if (view === 'login') view = 'today';
  if (`#/${view}` !== location.hash) history.replaceState(null, '', `#/${view}`);
  if (shown && shown !== view) leave[shown]?.();
  shown = view;

  for (const v of VIEWS) show($(`view-${v}`), v === view);
  const section = $(`view-${view}`);
  document.title = `${section.dataset['title']} · MedQ reception`;
  for (const a of /** @type {NodeListOf<HTMLElement>} */ (document.querySelectorAll('[data-nav]'))) {
    if (a.dataset['nav'] === view) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
  const box = $('flash');
  box.textContent = '';
  box.className = 'flash';
  if (flashMessage) {
    flashNow(flashMessage.message, /** @type {'success' | 'info' | 'error'} */ (flashMessage.kind));
    flashMessage = null;
  }
  enter[view]?.();
  section.querySelector('h1')?.focus({ preventScroll: true });
  window.scrollTo(0, 0);
}

function renderNav() {
  show($('staff-nav'), Boolean(current));
  const who = $('staff-signed-in');
  who.textContent = current ? `Signed in as ${current.name || current.username} (staff)` : '';
  show(who, Boolean(current));
}

export function startShell() {
  window.addEventListener('hashchange', route);
  renderNav();
  route();
}
