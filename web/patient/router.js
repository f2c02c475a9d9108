// Views and routing (#/login, #/register, ...). Each view module registers what to do when it is
// shown; views that need a session send you to log in.
import { $, show } from '../lib/dom.js';
import { t } from '../lib/i18n.js';
import { session } from './session.js';
import { hasLinkOffer, hasPending } from './verification-state.js';

export const VIEWS = ['login', 'register', 'link', 'verify', 'reset', 'change-password', 'appointments', 'book', 'account'];
const NEEDS_SESSION = new Set(['change-password', 'appointments', 'book', 'account']);

/** @type {Record<string, () => void>} */
const enter = {};
/** @type {{ message: string, kind: string } | null} */
let flashMessage = null;
const brand = () => document.querySelector('[data-brand]')?.textContent || 'MedQ';

/**
 * What to do each time a view is shown.
 * @param {string} name
 * @param {() => void} onEnter
 */
export function registerView(name, onEnter) {
  enter[name] = onEnter;
}

/**
 * A message for the next page shown.
 * @param {string} message
 * @param {'success' | 'info' | 'error'} [kind]
 */
export function flash(message, kind = 'success') {
  flashMessage = { message, kind };
}

/**
 * Shows a page now (synchronously, so a caller may move focus into it right after).
 * @param {string} view
 */
export function go(view) {
  const hash = `#/${view}`;
  if (location.hash !== hash) history.pushState(null, '', hash);
  route();
}

/** The hash last shown: links and Back fire popstate and/or hashchange; route once per change. */
/** @type {string | null} */
let routedHash = null;
function onNavigate() {
  if (location.hash !== routedHash) route();
}

export function currentView() {
  const name = location.hash.replace(/^#\/?/, '').split('?')[0] ?? '';
  return VIEWS.includes(name) ? name : '';
}

/**
 * Shows the page the address names (or the one the session allows).
 * @param {{ keepFocus?: boolean }} [opts] keepFocus: a redraw in place (a new language), not a new page
 */
export function route({ keepFocus = false } = {}) {
  const s = session();
  let view = currentView();
  if (!view) view = s ? 'appointments' : 'login';
  if (NEEDS_SESSION.has(view) && !s) view = 'login';
  if (s?.mustChange && view !== 'change-password') view = 'change-password';
  if (s && !s.mustChange && ['login', 'register', 'change-password'].includes(view)) view = 'appointments';
  if (view === 'verify' && !hasPending()) view = 'register';
  if (view === 'link' && !hasLinkOffer()) view = 'register';
  if (`#/${view}` !== location.hash) history.replaceState(null, '', `#/${view}`);
  routedHash = location.hash;

  for (const name of VIEWS) show($(`view-${name}`), name === view);
  const section = $(`view-${view}`);
  document.title = `${section.dataset['title']} · ${brand()}`;
  for (const a of /** @type {NodeListOf<HTMLElement>} */ (document.querySelectorAll('[data-nav]'))) {
    if (a.dataset['nav'] === view) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }

  const box = $('flash');
  box.textContent = '';
  box.className = 'flash';
  if (flashMessage) {
    box.className = `flash alert alert-${flashMessage.kind}`;
    box.textContent = flashMessage.message;
    flashMessage = null;
  }

  enter[view]?.();
  if (keepFocus) return;
  // Move focus to the new page's heading so screen readers announce where the user is.
  section.querySelector('h1')?.focus({ preventScroll: true });
  window.scrollTo(0, 0);
}

export function renderNav() {
  const s = session();
  show($('nav-guest'), !s);
  show($('nav-user'), Boolean(s));
  for (const li of /** @type {NodeListOf<HTMLElement>} */ (document.querySelectorAll('[data-needs-full-session]'))) {
    show(li, Boolean(s && !s.mustChange));
  }
  const who = $('signed-in');
  if (s?.user) {
    who.textContent = t('common.signed_in_as', { name: s.user.name || s.user.username });
    show(who, true);
  } else show(who, false);
}

export function startRouter() {
  window.addEventListener('hashchange', onNavigate);
  window.addEventListener('popstate', onNavigate);
  renderNav();
  route();
}
