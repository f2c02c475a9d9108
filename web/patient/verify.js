// The SMS code step shared by registration, linking and password reset.
import { $, $button, $form, $input, el, show } from '../lib/dom.js';
import { language, t, tn, tParts } from '../lib/i18n.js';
import { busy, clearErrors, setFieldError, showFormAlert, validate } from '../lib/forms.js';
import { handleRegisterError } from './register.js';
import { currentView, flash, go, registerView } from './router.js';
import { api, signIn } from './session.js';
import { getPending, setLinkOffer, setPending } from './verification-state.js';

/**
 * Sends a register/link/reset request. 202 → the code step; 200/201 with a token (verification
 * switched off) → signed in. Anything else is returned for the caller to show.
 * @param {'register' | 'link' | 'reset'} purpose
 * @param {string} path
 * @param {Record<string, any>} body
 * @param {string} phoneShown
 */
export async function startAction(purpose, path, body, phoneShown) {
  // The code SMS (and an account it creates) speak the page's language.
  const r = await api('POST', path, { ...body, language: language() });
  if (r.status === 202 && r.data?.verification_id) {
    setPending({
      purpose,
      verificationId: r.data.verification_id,
      phone: r.data.phone_number ?? phoneShown,
      expiresAt: Date.now() + Number(r.data.expires_in ?? 600) * 1000,
      request: { path, body, phoneShown },
    });
    go('verify');
    return null;
  }
  if (r.ok && r.data?.token) {
    finishSignedIn(purpose, r.data);
    return null;
  }
  return r;
}

/**
 * @param {'register' | 'link' | 'reset'} purpose
 * @param {any} data the login answer
 */
function finishSignedIn(purpose, data) {
  setPending(null);
  for (const id of ['register-form', 'reset-form', 'verify-form']) $form(id).reset();
  setLinkOffer(null);
  signIn(data, Boolean(data.must_change_password));
  const name = data.user?.name;
  const key = purpose === 'reset' ? 'reset.done' : purpose === 'link' ? 'link.done' : 'register.welcome';
  flash(purpose !== 'reset' && !name ? t(`${key}_anon`) : t(key, { name }));
  go('appointments');
}

/** @type {ReturnType<typeof setInterval> | undefined} */
let expiryTimer;

function renderVerify() {
  const pending = getPending();
  if (!pending) return;
  const form = $form('verify-form');
  clearErrors(form);
  $('verify-sent').replaceChildren(...tParts('verify.sent_to', { phone: el('strong', { id: 'verify-phone', text: pending.phone ?? t('verify.your_phone') }) }));
  $input('verify-code').value = '';
  setVerifyNote(null);
  setVerifyUsable(true);
  $('verify-back').setAttribute('href', pending.purpose === 'reset' ? '#/reset' : '#/register');
  $('verify-back').textContent = t(pending.purpose === 'reset' ? 'verify.back_to_reset' : 'verify.back_to_form');
  tickExpiry();
  clearInterval(expiryTimer);
  expiryTimer = setInterval(() => {
    if (currentView() !== 'verify' || !getPending()) clearInterval(expiryTimer);
    else tickExpiry();
  }, 15_000);
}
registerView('verify', renderVerify);

function tickExpiry() {
  const pending = getPending();
  if (!pending) return;
  const left = Math.round((pending.expiresAt - Date.now()) / 60_000);
  $('verify-expiry').textContent = left >= 1 ? tn('verify.expires_in', left) : t('verify.may_have_expired');
}

/** @param {string | null} message */
function setVerifyNote(message) {
  $('verify-note').textContent = message ?? '';
  show($('verify-note'), Boolean(message));
}

/**
 * After a 410 the verification cannot be used any more: only "start again" makes sense.
 * @param {boolean} usable
 */
function setVerifyUsable(usable) {
  show($('verify-submit'), usable);
  show($('verify-resend'), usable);
  $input('verify-code').disabled = !usable;
  show($('verify-restart'), !usable && Boolean(getPending()?.request));
}

$input('verify-code').addEventListener('input', () => {
  // Pasted codes often carry spaces; keep the digits.
  const input = $input('verify-code');
  const digits = input.value.replace(/\D/g, '').slice(0, 6);
  if (digits !== input.value) input.value = digits;
});

$form('verify-form').addEventListener('submit', (e) => {
  e.preventDefault();
  const form = $form('verify-form');
  if (!validate(form)) return;
  setVerifyNote(null);
  busy(form, async () => {
    const p = getPending();
    if (!p) return;
    const code = $input('verify-code');
    const r = await api('POST', '/api/auth/verify', { verification_id: p.verificationId, code: code.value });
    if (r.ok && r.data?.token) {
      finishSignedIn(p.purpose, r.data);
      return;
    }
    const d = r.data;
    if (d.error === 'invalid_code') {
      const left = Number(d.attempts_left);
      setFieldError(code, Number.isFinite(left) ? `${d.message} ${tn('verify.attempts_left', left)}` : d.message);
      code.select();
      code.focus();
      return;
    }
    if (r.status === 410 || d.error === 'verification_expired') {
      showFormAlert(form, `${d.message} ${t(p.request ? 'verify.choose_restart' : 'verify.fill_again')}`);
      setVerifyUsable(false);
      (p.request ? $('verify-restart') : $('verify-back')).focus();
      return;
    }
    if (r.status === 409 && p.purpose !== 'reset' && p.request) {
      // The state changed while the code was on its way (e.g. a phone booking made an account).
      setPending(null);
      handleRegisterError(d, /** @type {any} */ (p.request.body));
      return;
    }
    showFormAlert(form, d.message);
  });
});

$button('verify-resend').addEventListener('click', async () => {
  const form = $form('verify-form');
  const button = $button('verify-resend');
  const pending = getPending();
  if (button.disabled || !pending) return;
  clearErrors(form);
  setVerifyNote(null);
  button.disabled = true;
  try {
    const r = await api('POST', '/api/auth/verify/resend', { verification_id: pending.verificationId, language: language() });
    if (r.ok) {
      setPending({
        ...pending,
        verificationId: r.data?.verification_id ?? pending.verificationId,
        expiresAt: Date.now() + Number(r.data?.expires_in ?? 600) * 1000,
      });
      tickExpiry();
      setVerifyNote(t('verify.new_code_sent', { phone: pending.phone }));
      $input('verify-code').value = '';
      $input('verify-code').focus();
      return;
    }
    if (r.status === 410) {
      showFormAlert(form, `${r.data.message} ${pending.request ? t('verify.choose_restart') : ''}`.trim());
      setVerifyUsable(false);
      return;
    }
    showFormAlert(form, r.data.message);
  } finally {
    button.disabled = false;
  }
});

$button('verify-restart').addEventListener('click', async () => {
  const pending = getPending();
  if (!pending?.request) return;
  const { purpose, request } = pending;
  const button = $button('verify-restart');
  button.disabled = true;
  try {
    const r = await startAction(purpose, request.path, request.body, request.phoneShown);
    if (!r) {
      renderVerify();
      setVerifyNote(t('verify.code_sent_again', { phone: getPending()?.phone ?? '' }));
      $input('verify-code').focus();
      return;
    }
    if (purpose === 'reset') showFormAlert($form('verify-form'), r.data.message);
    else handleRegisterError(r.data, /** @type {any} */ (request.body));
  } finally {
    button.disabled = false;
  }
});
