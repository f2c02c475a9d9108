// The forced password change after logging in with the temporary password from the welcome SMS.
import { $, $form, $input, show } from '../lib/dom.js';
import { busy, clearErrors, showApiError, validate } from '../lib/forms.js';
import { flash, go, registerView } from './router.js';
import { api, saveSession, session, signIn } from './session.js';

/** What the user typed at log-in, kept in memory only, so the password change can skip re-asking. */
/** @type {string | null} */
let loginPassword = null;

/** @param {string | null} password */
export function rememberLoginPassword(password) {
  loginPassword = password;
}

function renderChangePassword() {
  const form = $form('change-form');
  clearErrors(form);
  // Just logged in: we already have the temporary password, so only the new one is asked for.
  const known = Boolean(loginPassword);
  show($('change-current-field'), !known);
  $input('change-current').required = !known;
}
registerView('change-password', renderChangePassword);

$form('change-form').addEventListener('submit', (e) => {
  e.preventDefault();
  const form = $form('change-form');
  const fresh = $input('change-new');
  const confirm = $input('change-confirm');
  const ok = validate(form, () =>
    fresh.value && confirm.value && fresh.value !== confirm.value ? [[confirm, 'The two new passwords are not the same.']] : [],
  );
  if (!ok) return;
  const current = loginPassword ?? $input('change-current').value;
  const next = fresh.value;
  busy(form, async () => {
    const r = await api('POST', '/api/me/password', { current_password: current, new_password: next }, { auth: true, keepSessionOn401: true });
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
    // The change ended every older token (ours too): log in again with the new password.
    const username = session()?.user?.username;
    loginPassword = null;
    form.reset();
    const again = username ? await api('POST', '/api/auth/login', { username, password: next }) : null;
    if (again?.ok) {
      signIn(again.data, Boolean(again.data.must_change_password));
      flash('Your new password is saved. You can now use it to log in.');
      go('appointments');
    } else {
      saveSession(null);
      flash('Your new password is saved. Please log in with it.', 'info');
      go('login');
    }
  });
});
