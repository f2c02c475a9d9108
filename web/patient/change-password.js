// The forced password change after logging in with the temporary password from the welcome SMS:
// it also asks for name and age (the web name then wins for every booking of the phone) and lets
// the caller pick a username.
import { $, $form, $input, show } from '../lib/dom.js';
import { busy, clearErrors, showApiError, validate } from '../lib/forms.js';
import { t } from '../lib/i18n.js';
import { flash, go, registerView } from './router.js';
import { api, saveSession, session, signIn } from './session.js';

/** What the user typed at log-in, kept in memory only, so the password change can skip re-asking. */
/** @type {string | null} */
let loginPassword = null;

/** @param {string | null} password */
export function rememberLoginPassword(password) {
  loginPassword = password;
}

/** The name a phone booking gives an account until its owner says theirs (src/sync/ivr-booking.ts). */
const PLACEHOLDER_NAME = /^IVR Patient \d{4}$/;

/** A phone-made account (or any forced change) also asks for name and age, optionally a username. */
const asksIdentity = () => Boolean(session()?.mustChange);

function renderChangePassword() {
  const form = $form('change-form');
  clearErrors(form);
  // Just logged in: we already have the temporary password, so only the new one is asked for.
  const known = Boolean(loginPassword);
  show($('change-current-field'), !known);
  $input('change-current').required = !known;
  const identity = asksIdentity();
  show($('change-identity'), identity);
  $input('change-name').required = identity;
  $input('change-age').required = identity;
  const name = session()?.user?.name ?? '';
  if (identity && !$input('change-name').value && name && !PLACEHOLDER_NAME.test(name)) $input('change-name').value = name;
}
registerView('change-password', renderChangePassword);

$form('change-form').addEventListener('submit', (e) => {
  e.preventDefault();
  const form = $form('change-form');
  const usernameInput = $input('change-username');
  usernameInput.value = usernameInput.value.trim().toLowerCase();
  const fresh = $input('change-new');
  const confirm = $input('change-confirm');
  const ok = validate(form, () =>
    fresh.value && confirm.value && fresh.value !== confirm.value ? [[confirm, t('change.mismatch')]] : [],
  );
  if (!ok) return;
  const current = loginPassword ?? $input('change-current').value;
  const next = fresh.value;
  /** @type {{ current_password: string, new_password: string, name?: string, age?: number, username?: string }} */
  const body = { current_password: current, new_password: next };
  const identity = asksIdentity();
  const username = usernameInput.value;
  if (identity) {
    body.name = $input('change-name').value.trim();
    body.age = Number($input('change-age').value);
    if (username) body.username = username;
  }
  busy(form, async () => {
    const r = await api('POST', '/api/me/password', body, { auth: true, keepSessionOn401: true });
    if (!r.ok) {
      if (r.status === 401 && !session()) return; // token gone: api() already sent the user to log in
      if (r.data.error === 'invalid_credentials' && loginPassword) {
        // The remembered password was not accepted: ask for it explicitly.
        loginPassword = null;
        renderChangePassword();
      }
      showApiError(form, r.data, { password: 'new_password' });
      return;
    }
    // The change ended every older token (ours too): log in again with the new password. The
    // phone number stays the same whatever username was just chosen.
    const user = session()?.user;
    loginPassword = null;
    form.reset();
    const again = user
      ? await api('POST', '/api/auth/login', user.phone_number ? { phone_number: user.phone_number, password: next } : { username: user.username, password: next })
      : null;
    if (again?.ok) {
      signIn(again.data, Boolean(again.data.must_change_password));
      flash(t('change.saved'));
      go('appointments');
    } else {
      saveSession(null);
      flash(t('change.saved_login'), 'info');
      go('login');
    }
  });
});
