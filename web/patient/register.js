// Registration, linking phone bookings, and password reset: each may answer 202 (the code step).
import { $, $button, $form, $input, show } from '../lib/dom.js';
import { busy, clearErrors, showApiError, showFormAlert, validate, values } from '../lib/forms.js';
import { t } from '../lib/i18n.js';
import { currentView, go, registerView } from './router.js';
import { getLinkOffer, setLinkOffer } from './verification-state.js';
import { startAction } from './verify.js';

/**
 * @param {HTMLFormElement} form
 * @returns {import('./verification-state.js').RegisterDetails}
 */
function registerDetails(form) {
  const v = values(form);
  return {
    name: String(v['name']).trim(),
    age: Number(v['age']),
    phone_number: String(v['phone_number']).trim(),
    username: String(v['username']).trim(),
    password: String(v['password']),
  };
}

registerView('register', () => show($('registered-panel'), false));

$input('reg-username').addEventListener('change', () => {
  const input = $input('reg-username');
  input.value = input.value.trim().toLowerCase();
});

$form('register-form').addEventListener('submit', (e) => {
  e.preventDefault();
  const form = $form('register-form');
  const username = $input('reg-username');
  const password = $input('reg-password');
  username.value = username.value.trim().toLowerCase();
  show($('registered-panel'), false);
  const ok = validate(form, () =>
    password.value && password.value.toLowerCase() === username.value ? [[password, t('register.password_is_username')]] : [],
  );
  if (!ok) return;
  const details = registerDetails(form);
  busy(form, async () => {
    const r = await startAction('register', '/api/auth/register', details, details.phone_number);
    if (r) handleRegisterError(r.data, details);
  });
});

let registeredPhone = '';

/**
 * The three outcomes of registration (and the other errors) shown on the register page.
 * @param {import('../lib/api.js').ApiErrorBody} data
 * @param {import('./verification-state.js').RegisterDetails} details
 */
export function handleRegisterError(data, details) {
  const form = $form('register-form');
  if (data.error === 'ivr_account_exists') {
    setLinkOffer({ message: data.message, phone: data['phone_number'] ?? details.phone_number, details });
    go('link');
    return;
  }
  if (currentView() !== 'register') go('register');
  if (data.error === 'phone_already_registered') {
    clearErrors(form);
    $('registered-message').textContent = `${data.message} ${t('register.registered_hint')}`;
    registeredPhone = details.phone_number;
    show($('registered-panel'), true);
    $('registered-login').focus();
    return;
  }
  showApiError(form, data);
}

$('registered-login').addEventListener('click', () => {
  $input('login-id').value = registeredPhone;
  go('login');
  $('login-password').focus();
});
$('registered-reset').addEventListener('click', () => {
  $input('reset-phone').value = registeredPhone;
  go('reset');
  $('reset-password').focus();
});

// ------------------------------------------------------------------ link phone bookings

registerView('link', () => {
  const offer = getLinkOffer();
  clearErrors($('view-link'));
  if (!offer) return;
  // The API's question (ivr_account_exists), in the page's language.
  $('link-message').textContent = t('errors.ivr_account_exists');
  $('link-phone').textContent = offer.phone;
});

$button('link-yes').addEventListener('click', async () => {
  const card = $('view-link');
  const button = $button('link-yes');
  const offer = getLinkOffer();
  if (button.disabled || !offer) return;
  button.disabled = true;
  $button('link-no').disabled = true;
  try {
    const { details, phone } = offer;
    const r = await startAction('link', '/api/auth/link-ivr', details, phone);
    if (!r) return;
    if (['username_taken', 'invalid_username', 'weak_password', 'invalid_phone', 'phone_already_registered', 'validation_error'].includes(r.data.error)) {
      // Something in the details must change: back to the form, which keeps them.
      setLinkOffer(null);
      handleRegisterError(r.data, details);
      return;
    }
    showFormAlert(card, r.data.message);
  } finally {
    button.disabled = false;
    $button('link-no').disabled = false;
  }
});

$('link-no').addEventListener('click', () => {
  setLinkOffer(null);
  const phone = $input('reg-phone');
  phone.value = '';
  go('register');
  clearErrors($form('register-form'));
  phone.focus();
});

// ------------------------------------------------------------------ password reset

registerView('reset', () => clearErrors($form('reset-form')));

$form('reset-form').addEventListener('submit', (e) => {
  e.preventDefault();
  const form = $form('reset-form');
  if (!validate(form)) return;
  const phone = $input('reset-phone').value.trim();
  const body = { phone_number: phone, new_password: $input('reset-password').value };
  busy(form, async () => {
    const r = await startAction('reset', '/api/auth/password-reset', body, phone);
    if (r) showApiError(form, r.data, { password: 'new_password' });
  });
});
