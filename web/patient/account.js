// My account: the name and age the clinic sees on every booking of this phone, editable
// (PATCH /api/me {name, age}).
import { $, $form, $input } from '../lib/dom.js';
import { busy, clearErrors, showApiError, showFormAlert, validate } from '../lib/forms.js';
import { t } from '../lib/i18n.js';
import { registerView } from './router.js';
import { api, saveSession, session } from './session.js';

/**
 * GET /api/me (and PATCH) answer with the account's display name and its patients' age; older
 * servers only had user.name and patients[].age.
 * @param {any} me
 */
function detailsOf(me) {
  /** @type {any[]} */
  const patients = Array.isArray(me?.patients) ? me.patients : [];
  const age = typeof me?.age === 'number' ? me.age : (patients.find((p) => typeof p?.age === 'number')?.age ?? null);
  return {
    name: String(me?.name ?? me?.user?.name ?? ''),
    age: /** @type {number | null} */ (age),
    phone: String(me?.user?.phone_number ?? ''),
    username: String(me?.user?.username ?? ''),
  };
}

/** @param {ReturnType<typeof detailsOf>} d */
function renderDetails(d) {
  $('account-name').textContent = d.name;
  $('account-age').textContent = d.age === null ? t('account.not_given') : String(d.age);
  $('account-phone').textContent = d.phone;
  $('account-username').textContent = d.username;
  $input('account-name-input').value = d.name;
  $input('account-age-input').value = d.age === null ? '' : String(d.age);
}

async function enterAccount() {
  const form = $form('account-form');
  clearErrors(form);
  const r = await api('GET', '/api/me', undefined, { auth: true });
  if (!r.ok) {
    if (session()) showFormAlert(form, r.data.message);
    return;
  }
  renderDetails(detailsOf(r.data));
}
registerView('account', enterAccount);

$form('account-form').addEventListener('submit', (e) => {
  e.preventDefault();
  const form = $form('account-form');
  if (!validate(form)) return;
  const body = { name: $input('account-name-input').value.trim(), age: Number($input('account-age-input').value) };
  busy(form, async () => {
    const r = await api('PATCH', '/api/me', body, { auth: true });
    if (!r.ok) {
      if (session()) showApiError(form, r.data);
      return;
    }
    const d = detailsOf(r.data);
    renderDetails(d);
    const s = session();
    if (s?.user) saveSession({ ...s, user: { ...s.user, name: d.name || body.name } });
    const box = $('flash');
    box.className = 'flash alert alert-success';
    box.textContent = t('account.saved');
  });
});
