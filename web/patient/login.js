// Log in (username or phone) and log out.
import { $, $form, $input } from '../lib/dom.js';
import { busy, clearErrors, showFormAlert, validate, values } from '../lib/forms.js';
import { t } from '../lib/i18n.js';
import { rememberLoginPassword } from './change-password.js';
import { flash, go, registerView } from './router.js';
import { api, saveSession, signIn } from './session.js';
import { setPending } from './verification-state.js';

/** @param {string} s */
const looksLikePhone = (s) => /^[+\d\s().-]+$/.test(s) && s.replace(/\D/g, '').length >= 7;

/**
 * @param {string} login
 * @param {string} password
 */
function loginBody(login, password) {
  const id = login.trim();
  return looksLikePhone(id) ? { phone_number: id, password } : { username: id.toLowerCase(), password };
}

registerView('login', () => clearErrors($form('login-form')));

$form('login-form').addEventListener('submit', (e) => {
  e.preventDefault();
  const form = $form('login-form');
  if (!validate(form)) return;
  const { login = '', password = '' } = values(form);
  busy(form, async () => {
    const r = await api('POST', '/api/auth/login', loginBody(login, password));
    if (!r.ok) {
      showFormAlert(form, r.data.message);
      $input('login-password').select();
      return;
    }
    form.reset();
    rememberLoginPassword(password);
    const mustChange = Boolean(r.data.must_change_password);
    signIn(r.data, mustChange);
    if (!mustChange) flash(r.data.user?.name ? t('login.welcome', { name: r.data.user.name }) : t('login.welcome_anon'));
    go(mustChange ? 'change-password' : 'appointments');
  });
});

$('logout-button').addEventListener('click', () => {
  saveSession(null);
  setPending(null);
  flash(t('login.logged_out'), 'info');
  go('login');
});
