// MedQ patient pages: register (with SMS verification and phone-booking linking), log in,
// forced password change, password reset, my appointments, book and cancel.
// Plain ES module, no build step: every request goes to this server's /api, nothing else is fetched.

const SESSION_KEY = 'medq.session';
const PENDING_KEY = 'medq.pending';
const DEFAULT_TZ = 'Asia/Kolkata';

// ---------------------------------------------------------------------------------------------
// Small DOM helpers (text is always set with textContent: API data never becomes markup).

const $ = (id) => /** @type {HTMLElement} */ (document.getElementById(id));

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') node.className = v;
    else if (k === 'text') node.textContent = v;
    else if (k.startsWith('on')) node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children) if (c !== null && c !== undefined && c !== false) node.append(c);
  return node;
}

function show(node, visible = true) {
  node.hidden = !visible;
}

// ---------------------------------------------------------------------------------------------
// Session: the JWT lives in sessionStorage (gone when the tab closes) and goes out as a Bearer token.

function loadSession() {
  try {
    const s = JSON.parse(sessionStorage.getItem(SESSION_KEY) ?? 'null');
    return s && typeof s.token === 'string' ? s : null;
  } catch {
    return null;
  }
}

let session = loadSession();

function saveSession(next) {
  session = next;
  if (next) sessionStorage.setItem(SESSION_KEY, JSON.stringify(next));
  else sessionStorage.removeItem(SESSION_KEY);
  renderNav();
}

function signIn(data, mustChange = false) {
  saveSession({ token: data.token, user: data.user ?? null, mustChange: Boolean(mustChange) });
}

// ---------------------------------------------------------------------------------------------
// API: every answer becomes {ok, status, data}; error bodies are {error, message, ...}.

async function api(method, path, body, { auth = false, keepSessionOn401 = false } = {}) {
  const headers = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (auth && session) headers.Authorization = `Bearer ${session.token}`;
  let res;
  try {
    res = await fetch(path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: 'same-origin',
      cache: 'no-store',
    });
  } catch {
    return {
      ok: false,
      status: 0,
      data: { error: 'network', message: 'We could not reach the clinic server. Check your connection and try again.' },
    };
  }
  let data = null;
  const text = await res.text();
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      data = null;
    }
  }
  if (!res.ok) {
    data = data && typeof data === 'object' ? data : {};
    if (!data.message) data.message = fallbackMessage(res.status, data);
    if (auth && res.status === 401 && session && !keepSessionOn401) {
      // The token expired or was ended by a password change elsewhere.
      saveSession(null);
      flash(data.message || 'Your session has ended. Please log in again.', 'info');
      go('login');
    } else if (auth && res.status === 403 && data.error === 'password_change_required' && session) {
      // A temporary password (IVR account) must be replaced before booking or cancelling.
      saveSession({ ...session, mustChange: true });
      flash('Please choose your own password first.', 'info');
      go('change-password');
    }
  }
  return { ok: res.ok, status: res.status, data };
}

function fallbackMessage(status, data) {
  if (status === 429) {
    const wait = Number(data.retry_after);
    return wait > 0
      ? `Too many attempts. Please try again in ${Math.ceil(wait / 60)} minute${wait > 60 ? 's' : ''}.`
      : 'Too many attempts. Please wait a few minutes and try again.';
  }
  if (status >= 500) return 'Something went wrong on our side. Please try again in a moment.';
  return 'Something went wrong. Please check the details and try again.';
}

// ---------------------------------------------------------------------------------------------
// Forms: our own inline validation so every message sits next to its field.

function formAlert(form) {
  return form.querySelector('[data-form-alert]');
}

function fieldErrorNode(input) {
  return input.id ? document.getElementById(`${input.id}-error`) : null;
}

function setFieldError(input, message) {
  const node = fieldErrorNode(input);
  if (!node) return;
  node.textContent = message;
  show(node, true);
  input.setAttribute('aria-invalid', 'true');
  const described = (input.getAttribute('aria-describedby') ?? '').split(' ').filter(Boolean);
  if (!described.includes(node.id)) input.setAttribute('aria-describedby', [...described, node.id].join(' '));
}

function clearErrors(form) {
  for (const input of form.querySelectorAll('[aria-invalid]')) input.removeAttribute('aria-invalid');
  for (const node of form.querySelectorAll('.field-error')) {
    node.textContent = '';
    show(node, false);
  }
  const alert = formAlert(form);
  if (alert) {
    alert.textContent = '';
    show(alert, false);
  }
}

function showFormAlert(form, message) {
  const alert = formAlert(form);
  alert.textContent = message;
  show(alert, true);
  alert.scrollIntoView({ block: 'nearest' });
}

function validationMessage(input) {
  const v = input.validity;
  if (v.valueMissing) return input.dataset.requiredMsg ?? 'This is required.';
  if (v.tooShort) return input.dataset.shortMsg ?? input.validationMessage;
  if (v.patternMismatch) return input.dataset.patternMsg ?? input.validationMessage;
  if (v.rangeUnderflow || v.rangeOverflow || v.stepMismatch || v.badInput) return input.dataset.rangeMsg ?? input.validationMessage;
  return input.validationMessage;
}

/** Checks the form's fields; shows each problem beside its field and focuses the first one. */
function validate(form, extra = () => []) {
  clearErrors(form);
  let first = null;
  for (const input of form.querySelectorAll('input, select')) {
    if (input.closest('[hidden]') || input.type === 'checkbox' || input.type === 'radio') continue;
    if (!input.checkValidity()) {
      setFieldError(input, validationMessage(input));
      first ??= input;
    }
  }
  for (const [input, message] of extra()) {
    setFieldError(input, message);
    first ??= input;
  }
  if (first) first.focus();
  return !first;
}

/** Field names in our forms are the API's names, so an error can point at its field. */
const FIELD_FOR_ERROR = {
  invalid_credentials: 'current_password',
  username_taken: 'username',
  invalid_username: 'username',
  invalid_phone: 'phone_number',
  weak_password: 'password',
};

/**
 * Shows an API error on a form: beside the field it is about when we can tell, else at the top.
 * `rename` maps API field names to this form's (e.g. password -> new_password).
 */
function showApiError(form, data, rename = {}) {
  clearErrors(form);
  const byName = (name) => form.querySelector(`[name="${rename[name] ?? name}"]`);
  let target = FIELD_FOR_ERROR[data.error] ? byName(FIELD_FOR_ERROR[data.error]) : null;
  if (target && !target.closest('[hidden]')) {
    setFieldError(target, data.message);
    target.focus();
    return;
  }
  // validation_error: each detail beside its field; the top message only if it adds something.
  let placed = 0;
  let first = null;
  for (const d of Array.isArray(data.details) ? data.details : []) {
    const name = detailField(d);
    target = name ? byName(name) : null;
    if (!target || target.closest('[hidden]') || typeof d.message !== 'string') continue;
    // A finer code (weak_password, invalid_username) comes with a full sentence; ajv's are fragments.
    setFieldError(target, d.reason ? d.message : `${labelOf(target)} ${d.message}.`);
    if (d.message === data.message) placed++;
    first ??= target;
  }
  if (!first || placed === 0) showFormAlert(form, data.message);
  first?.focus();
}

function labelOf(input) {
  return input.labels?.[0]?.textContent?.trim() ?? input.name;
}

/** The API names a detail's field as "body.phone_number": the last part is the form field. */
function detailField(d) {
  if (!d || typeof d !== 'object' || typeof d.field !== 'string') return null;
  return d.field.split(/[./]/).pop() || null;
}

/** Runs an async submit with the button disabled, so a double tap sends one request. */
async function busy(form, work) {
  const buttons = [...form.querySelectorAll('button')];
  if (form.getAttribute('aria-busy') === 'true') return;
  form.setAttribute('aria-busy', 'true');
  for (const b of buttons) b.disabled = true;
  try {
    await work();
  } finally {
    form.removeAttribute('aria-busy');
    for (const b of buttons) b.disabled = false;
  }
}

function values(form) {
  return Object.fromEntries(new FormData(form).entries());
}

// "Show password" check boxes.
document.addEventListener('change', (e) => {
  const box = e.target;
  if (!(box instanceof HTMLInputElement) || !box.dataset.reveal) return;
  for (const id of box.dataset.reveal.split(' ')) $(id).type = box.checked ? 'text' : 'password';
});

// ---------------------------------------------------------------------------------------------
// Views and routing (#/login, #/register, ...). Views that need a session send you to log in.

const VIEWS = ['login', 'register', 'link', 'verify', 'reset', 'change-password', 'appointments', 'book'];
const NEEDS_SESSION = new Set(['change-password', 'appointments', 'book']);
let flashMessage = null;

function flash(message, kind = 'success') {
  flashMessage = { message, kind };
}

/** Shows a page now (synchronously, so a caller may move focus into it right after). */
function go(view) {
  const hash = `#/${view}`;
  if (location.hash !== hash) history.pushState(null, '', hash);
  route();
}

/** The hash last shown: links and Back fire popstate and/or hashchange; route once per change. */
let routedHash = null;
function onNavigate() {
  if (location.hash !== routedHash) route();
}

function currentView() {
  const name = location.hash.replace(/^#\/?/, '').split('?')[0];
  return VIEWS.includes(name) ? name : '';
}

function route() {
  let view = currentView();
  if (!view) view = session ? 'appointments' : 'login';
  if (NEEDS_SESSION.has(view) && !session) view = 'login';
  if (session?.mustChange && view !== 'change-password') view = 'change-password';
  if (session && !session.mustChange && ['login', 'register', 'change-password'].includes(view)) view = 'appointments';
  if (view === 'verify' && !pending) view = 'register';
  if (view === 'link' && !linkOffer) view = 'register';
  if (`#/${view}` !== location.hash) history.replaceState(null, '', `#/${view}`);
  routedHash = location.hash;

  for (const name of VIEWS) show($(`view-${name}`), name === view);
  const section = $(`view-${view}`);
  document.title = `${section.dataset.title} · ${brand}`;
  for (const a of document.querySelectorAll('[data-nav]')) {
    if (a.dataset.nav === view) a.setAttribute('aria-current', 'page');
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
  // Move focus to the new page's heading so screen readers announce where the user is.
  section.querySelector('h1')?.focus({ preventScroll: true });
  window.scrollTo(0, 0);
}

function renderNav() {
  show($('nav-guest'), !session);
  show($('nav-user'), Boolean(session));
  for (const li of document.querySelectorAll('[data-needs-full-session]')) show(li, Boolean(session && !session.mustChange));
  const who = $('signed-in');
  if (session?.user) {
    who.textContent = `Signed in as ${session.user.name || session.user.username}`;
    show(who, true);
  } else show(who, false);
}

const enter = {
  login: () => clearErrors($('login-form')),
  register: () => {
    show($('registered-panel'), false);
  },
  link: renderLinkOffer,
  verify: renderVerify,
  reset: () => clearErrors($('reset-form')),
  'change-password': renderChangePassword,
  appointments: loadAppointments,
  book: enterBook,
};

$('logout-button').addEventListener('click', () => {
  saveSession(null);
  pending = null;
  sessionStorage.removeItem(PENDING_KEY);
  flash('You have logged out.', 'info');
  go('login');
});

// ---------------------------------------------------------------------------------------------
// Log in (username or phone) and the forced password change that may follow.

/** What the user typed at log-in, kept in memory only, so the password change can skip re-asking. */
let loginMemory = null;

const looksLikePhone = (s) => /^[+\d\s().-]+$/.test(s) && s.replace(/\D/g, '').length >= 7;

function loginBody(login, password) {
  const id = login.trim();
  return looksLikePhone(id) ? { phone_number: id, password } : { username: id.toLowerCase(), password };
}

$('login-form').addEventListener('submit', (e) => {
  e.preventDefault();
  const form = e.currentTarget;
  if (!validate(form)) return;
  const { login, password } = values(form);
  busy(form, async () => {
    const r = await api('POST', '/api/auth/login', loginBody(login, password));
    if (!r.ok) {
      showFormAlert(form, r.data.message);
      $('login-password').select();
      return;
    }
    form.reset();
    loginMemory = { password };
    const mustChange = Boolean(r.data.must_change_password);
    signIn(r.data, mustChange);
    if (!mustChange) flash(`Welcome back, ${r.data.user?.name ?? ''}.`.replace(/, \.$/, '.'));
    go(mustChange ? 'change-password' : 'appointments');
  });
});

function renderChangePassword() {
  const form = $('change-form');
  clearErrors(form);
  // Just logged in: we already have the temporary password, so only the new one is asked for.
  const known = Boolean(loginMemory?.password);
  show($('change-current-field'), !known);
  $('change-current').required = !known;
}

$('change-form').addEventListener('submit', (e) => {
  e.preventDefault();
  const form = e.currentTarget;
  const ok = validate(form, () =>
    $('change-new').value && $('change-confirm').value && $('change-new').value !== $('change-confirm').value
      ? [[$('change-confirm'), 'The two new passwords are not the same.']]
      : [],
  );
  if (!ok) return;
  const current = loginMemory?.password ?? $('change-current').value;
  const next = $('change-new').value;
  busy(form, async () => {
    const r = await api('POST', '/api/me/password', { current_password: current, new_password: next }, { auth: true, keepSessionOn401: true });
    if (!r.ok) {
      if (r.status === 401 && !session) return; // token gone: api() already sent the user to log in
      if (r.data.error === 'invalid_credentials' && loginMemory) {
        // The remembered password was not accepted: ask for it explicitly.
        loginMemory = null;
        renderChangePassword();
      }
      showApiError(form, r.data, { password: 'new_password' });
      return;
    }
    // The change ended every older token (ours too): log in again with the new password.
    const username = session?.user?.username;
    loginMemory = null;
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

// ---------------------------------------------------------------------------------------------
// Registration, linking and password reset: each may answer 202 verification_required.

/** The verification in progress: {purpose, verificationId, phone, expiresAt, request?}. */
let pending = (() => {
  try {
    return JSON.parse(sessionStorage.getItem(PENDING_KEY) ?? 'null');
  } catch {
    return null;
  }
})();
/** The register details that met "ivr_account_exists": {message, phone, details}. */
let linkOffer = null;

function setPending(p) {
  pending = p;
  // The request (with the password) stays in memory only; a reload keeps just what is safe.
  if (p) {
    const { request: _request, ...safe } = p;
    sessionStorage.setItem(PENDING_KEY, JSON.stringify(safe));
  } else sessionStorage.removeItem(PENDING_KEY);
}

/**
 * Sends a register/link/reset request. 202 → the code step; 200/201 with a token (verification
 * switched off) → signed in. Anything else is returned for the caller to show.
 */
async function startAction(purpose, path, body, phoneShown) {
  const r = await api('POST', path, body);
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

function finishSignedIn(purpose, data) {
  setPending(null);
  for (const id of ['register-form', 'reset-form', 'verify-form']) $(id).reset();
  linkOffer = null;
  signIn(data, Boolean(data.must_change_password));
  const name = data.user?.name ? `, ${data.user.name}` : '';
  flash(
    purpose === 'link'
      ? `Your phone bookings are now linked to this account${name}. They are listed below.`
      : purpose === 'reset'
        ? 'Your password has been changed. You are logged in.'
        : `Welcome${name}! Your account is ready.`,
  );
  go('appointments');
}

function registerDetails(form) {
  const v = values(form);
  return {
    name: String(v.name).trim(),
    age: Number(v.age),
    phone_number: String(v.phone_number).trim(),
    username: String(v.username).trim(),
    password: String(v.password),
  };
}

$('reg-username').addEventListener('change', (e) => {
  e.target.value = e.target.value.trim().toLowerCase();
});

$('register-form').addEventListener('submit', (e) => {
  e.preventDefault();
  const form = e.currentTarget;
  $('reg-username').value = $('reg-username').value.trim().toLowerCase();
  show($('registered-panel'), false);
  const ok = validate(form, () => {
    const pw = $('reg-password').value;
    return pw && pw.toLowerCase() === $('reg-username').value
      ? [[$('reg-password'), 'Your password must not be your username.']]
      : [];
  });
  if (!ok) return;
  const details = registerDetails(form);
  busy(form, async () => {
    const r = await startAction('register', '/api/auth/register', details, details.phone_number);
    if (r) handleRegisterError(r.data, details);
  });
});

/** The three outcomes of registration (and the other errors) shown on the register page. */
function handleRegisterError(data, details) {
  const form = $('register-form');
  if (data.error === 'ivr_account_exists') {
    linkOffer = { message: data.message, phone: data.phone_number ?? details.phone_number, details };
    go('link');
    return;
  }
  if (currentView() !== 'register') go('register');
  if (data.error === 'phone_already_registered') {
    clearErrors(form);
    $('registered-message').textContent = `${data.message} If you have forgotten your password, you can reset it with a code sent to this phone.`;
    registeredPhone = details.phone_number;
    show($('registered-panel'), true);
    $('registered-login').focus();
    return;
  }
  showApiError(form, data);
}

let registeredPhone = '';
$('registered-login').addEventListener('click', () => {
  $('login-id').value = registeredPhone;
  go('login');
  $('login-password').focus();
});
$('registered-reset').addEventListener('click', () => {
  $('reset-phone').value = registeredPhone;
  go('reset');
  $('reset-password').focus();
});

function renderLinkOffer() {
  clearErrors($('view-link'));
  // Exactly the API's message.
  $('link-message').textContent = linkOffer.message;
  $('link-phone').textContent = linkOffer.phone;
}

$('link-yes').addEventListener('click', async (e) => {
  const card = $('view-link');
  const button = e.currentTarget;
  if (button.disabled) return;
  button.disabled = true;
  $('link-no').disabled = true;
  try {
    const { details, phone } = linkOffer;
    const r = await startAction('link', '/api/auth/link-ivr', details, phone);
    if (!r) return;
    if (['username_taken', 'invalid_username', 'weak_password', 'invalid_phone', 'phone_already_registered', 'validation_error'].includes(r.data.error)) {
      // Something in the details must change: back to the form, which keeps them.
      linkOffer = null;
      handleRegisterError(r.data, details);
      return;
    }
    showFormAlert(card, r.data.message);
  } finally {
    button.disabled = false;
    $('link-no').disabled = false;
  }
});

$('link-no').addEventListener('click', () => {
  linkOffer = null;
  const phone = $('reg-phone');
  phone.value = '';
  go('register');
  clearErrors($('register-form'));
  phone.focus();
});

$('reset-form').addEventListener('submit', (e) => {
  e.preventDefault();
  const form = e.currentTarget;
  if (!validate(form)) return;
  const phone = $('reset-phone').value.trim();
  const body = { phone_number: phone, new_password: $('reset-password').value };
  busy(form, async () => {
    const r = await startAction('reset', '/api/auth/password-reset', body, phone);
    if (r) showApiError(form, r.data, { password: 'new_password' });
  });
});

// ---------------------------------------------------------------------------------------------
// The code step.

let expiryTimer = null;

function renderVerify() {
  const form = $('verify-form');
  clearErrors(form);
  $('verify-phone').textContent = pending.phone ?? 'your phone';
  $('verify-code').value = '';
  setVerifyNote(null);
  setVerifyUsable(true);
  $('verify-back').setAttribute('href', pending.purpose === 'reset' ? '#/reset' : '#/register');
  $('verify-back').textContent = pending.purpose === 'reset' ? 'Back to password reset' : 'Back to the form';
  tickExpiry();
  clearInterval(expiryTimer);
  expiryTimer = setInterval(() => {
    if (currentView() !== 'verify' || !pending) clearInterval(expiryTimer);
    else tickExpiry();
  }, 15_000);
}

function tickExpiry() {
  const left = Math.round((pending.expiresAt - Date.now()) / 60_000);
  $('verify-expiry').textContent =
    left >= 1 ? `It expires in about ${left} minute${left === 1 ? '' : 's'}.` : 'It may have expired: you can ask for a new one.';
}

function setVerifyNote(message) {
  $('verify-note').textContent = message ?? '';
  show($('verify-note'), Boolean(message));
}

/** After a 410 the verification cannot be used any more: only "start again" makes sense. */
function setVerifyUsable(usable) {
  show($('verify-submit'), usable);
  show($('verify-resend'), usable);
  $('verify-code').disabled = !usable;
  show($('verify-restart'), !usable && Boolean(pending?.request));
}

$('verify-code').addEventListener('input', (e) => {
  // Pasted codes often carry spaces; keep the digits.
  const digits = e.target.value.replace(/\D/g, '').slice(0, 6);
  if (digits !== e.target.value) e.target.value = digits;
});

$('verify-form').addEventListener('submit', (e) => {
  e.preventDefault();
  const form = e.currentTarget;
  if (!validate(form)) return;
  setVerifyNote(null);
  busy(form, async () => {
    const p = pending;
    const r = await api('POST', '/api/auth/verify', { verification_id: p.verificationId, code: $('verify-code').value });
    if (r.ok && r.data?.token) {
      finishSignedIn(p.purpose, r.data);
      return;
    }
    const d = r.data;
    if (d.error === 'invalid_code') {
      const left = Number(d.attempts_left);
      const tries = Number.isFinite(left) ? ` You have ${left} attempt${left === 1 ? '' : 's'} left.` : '';
      setFieldError($('verify-code'), `${d.message}${tries}`);
      $('verify-code').select();
      $('verify-code').focus();
      return;
    }
    if (r.status === 410 || d.error === 'verification_expired') {
      showFormAlert(form, `${d.message} ${p.request ? 'Choose "Start again" to get a new code.' : 'Please fill in the form again.'}`);
      setVerifyUsable(false);
      (p.request ? $('verify-restart') : $('verify-back')).focus();
      return;
    }
    if (r.status === 409 && p.purpose !== 'reset' && p.request) {
      // The state changed while the code was on its way (e.g. a phone booking made an account).
      setPending(null);
      handleRegisterError(d, p.request.body);
      return;
    }
    showFormAlert(form, d.message);
  });
});

$('verify-resend').addEventListener('click', async (e) => {
  const form = $('verify-form');
  const button = e.currentTarget;
  if (button.disabled) return;
  clearErrors(form);
  setVerifyNote(null);
  button.disabled = true;
  try {
    const r = await api('POST', '/api/auth/verify/resend', { verification_id: pending.verificationId });
    if (r.ok) {
      setPending({
        ...pending,
        verificationId: r.data?.verification_id ?? pending.verificationId,
        expiresAt: Date.now() + Number(r.data?.expires_in ?? 600) * 1000,
      });
      tickExpiry();
      setVerifyNote(`We sent a new code to ${pending.phone}. Use the newest code.`);
      $('verify-code').value = '';
      $('verify-code').focus();
      return;
    }
    if (r.status === 410) {
      showFormAlert(form, `${r.data.message} ${pending.request ? 'Choose "Start again" to get a new code.' : ''}`.trim());
      setVerifyUsable(false);
      return;
    }
    showFormAlert(form, r.data.message);
  } finally {
    button.disabled = false;
  }
});

$('verify-restart').addEventListener('click', async (e) => {
  const { purpose, request } = pending;
  const button = e.currentTarget;
  button.disabled = true;
  try {
    const r = await startAction(purpose, request.path, request.body, request.phoneShown);
    if (!r) {
      renderVerify();
      setVerifyNote(`We sent a new code to ${pending.phone}.`);
      $('verify-code').focus();
      return;
    }
    if (purpose === 'reset') showFormAlert($('verify-form'), r.data.message);
    else handleRegisterError(r.data, request.body);
  } finally {
    button.disabled = false;
  }
});

// ---------------------------------------------------------------------------------------------
// Dates and times. Appointment dates are the clinic's local dates ("YYYY-MM-DD", "HH:MM").

/** "YYYY-MM-DD HH:MM" now in a timezone. */
function nowIn(timezone) {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-CA', {
      timeZone: timezone || DEFAULT_TZ,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    })
      .formatToParts(new Date())
      .map((p) => [p.type, p.value]),
  );
  return `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute}`;
}

const todayIn = (timezone) => nowIn(timezone).slice(0, 10);

function addDays(isoDate, n) {
  const d = new Date(`${isoDate}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}

/** "Mon 30 Nov 2026" (style short) or "Monday 30 November 2026" (long), the same in every browser. */
function dateText(iso, style) {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(iso)) return iso;
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-GB', { weekday: style, day: 'numeric', month: style, year: 'numeric', timeZone: 'UTC' })
      .formatToParts(new Date(`${iso}T00:00:00Z`))
      .map((p) => [p.type, p.value]),
  );
  return `${parts.weekday} ${parts.day} ${parts.month} ${parts.year}`;
}
const formatDate = (iso) => dateText(iso, 'short');
const formatLongDate = (iso) => dateText(iso, 'long');

// ---------------------------------------------------------------------------------------------
// My appointments.

const CHANNEL_LABEL = { ivr: 'Phone booking', phone: 'Phone booking', web: 'Web booking', desk: 'Clinic booking', staff: 'Clinic booking' };
const STATUS_LABEL = { booked: 'Booked', cancelled: 'Cancelled', completed: 'Completed', no_show: 'Missed' };

/** One appointment as the page shows it (API keys: doctor, clinic, patient_name, cancellable…). */
function normaliseAppointment(a) {
  return {
    id: a.id,
    doctor: a.doctor ?? '',
    specialty: a.specialty ?? '',
    clinic: a.clinic ?? '',
    date: a.date ?? '',
    time: a.time ?? '',
    token: a.token ?? '',
    status: a.status ?? 'booked',
    channel: a.channel ?? '',
    patient: a.patient_name ?? '',
    // The server knows the clinic's clock; fall back to ours only if it does not say.
    cancellable: typeof a.cancellable === 'boolean' ? a.cancellable : a.status === 'booked' && `${a.date} ${a.time}` > nowIn(DEFAULT_TZ),
  };
}

async function loadAppointments() {
  const list = $('appt-list');
  show($('appt-alert'), false);
  show($('appt-empty'), false);
  show($('appt-loading'), true);
  list.setAttribute('aria-busy', 'true');
  const r = await api('GET', '/api/me/appointments', undefined, { auth: true });
  show($('appt-loading'), false);
  list.removeAttribute('aria-busy');
  if (!r.ok) {
    if (session) {
      $('appt-alert').textContent = r.data.message;
      show($('appt-alert'), true);
    }
    return;
  }
  const rows = r.data?.appointments ?? [];
  renderAppointments(rows.map(normaliseAppointment));
}

function renderAppointments(items) {
  const list = $('appt-list');
  list.replaceChildren();
  show($('appt-empty'), items.length === 0);
  const me = session?.user?.name;
  for (const a of items) {
    const upcoming = a.cancellable;
    const channelKey = a.channel === 'ivr' ? 'phone' : a.channel;
    const li = el(
      'li',
      { class: `appt appt-${a.status}${upcoming ? ' appt-upcoming' : ''}`, 'data-appointment-id': a.id },
      el(
        'div',
        { class: 'appt-when' },
        el('p', { class: 'appt-date', text: formatDate(a.date) }),
        el('p', { class: 'appt-time', text: a.time }),
      ),
      el(
        'div',
        { class: 'appt-body' },
        el('p', { class: 'appt-doctor' }, el('strong', { text: a.doctor }), a.specialty ? el('span', { class: 'muted', text: ` · ${a.specialty}` }) : null),
        el('p', { class: 'appt-clinic', text: a.clinic }),
        a.patient && me && a.patient !== me ? el('p', { class: 'muted', text: `For ${a.patient}` }) : null,
        el(
          'p',
          { class: 'badges' },
          el('span', { class: `badge badge-status badge-${a.status}`, text: STATUS_LABEL[a.status] ?? a.status }),
          ' ',
          el('span', { class: `badge badge-channel badge-${channelKey}`, text: CHANNEL_LABEL[a.channel] ?? a.channel }),
        ),
      ),
      el(
        'div',
        { class: 'appt-side' },
        el('p', { class: 'appt-token' }, el('span', { class: 'appt-token-label', text: 'Token' }), ' ', el('span', { class: 'appt-token-value', text: a.token })),
        upcoming
          ? el('button', {
              type: 'button',
              class: 'button button-danger-outline button-small',
              text: 'Cancel',
              'aria-label': `Cancel appointment with ${a.doctor} on ${formatDate(a.date)} at ${a.time}`,
              onclick: () => askCancel(a),
            })
          : null,
      ),
    );
    list.append(li);
  }
}

function askCancel(a) {
  const dialog = /** @type {HTMLDialogElement} */ ($('cancel-dialog'));
  $('cancel-text').textContent = `${a.doctor}, ${formatLongDate(a.date)} at ${a.time} (token ${a.token}). The time will be offered to other patients.`;
  dialog.returnValue = '';
  dialog.onclose = async () => {
    if (dialog.returnValue !== 'confirm') return;
    const r = await api('POST', `/api/me/appointments/${encodeURIComponent(a.id)}/cancel`, undefined, { auth: true });
    if (r.ok) {
      flash(`Your appointment with ${a.doctor} on ${formatDate(a.date)} at ${a.time} is cancelled.`);
      route();
    } else if (session) {
      $('appt-alert').textContent = r.data.message;
      show($('appt-alert'), true);
      loadAppointments();
    }
  };
  dialog.showModal();
}

// ---------------------------------------------------------------------------------------------
// Book: clinic → doctor → date → free time → book.

let clinics = [];
let slotRequest = 0;

function normaliseClinics(data) {
  const rows = data?.clinics ?? [];
  return rows.map((c) => ({
    id: c.id,
    name: c.name,
    timezone: c.timezone ?? DEFAULT_TZ,
    doctors: (c.doctors ?? []).map((d) => ({ id: d.id, name: d.name, specialty: d.specialty ?? '' })),
  }));
}

const selectedClinic = () => clinics.find((c) => String(c.id) === $('book-clinic').value) ?? clinics[0];
const selectedDoctorId = () => $('book-doctors').querySelector('input:checked')?.value ?? null;
const selectedDoctor = () => selectedClinic()?.doctors.find((d) => String(d.id) === selectedDoctorId());
const selectedTime = () => $('book-slots').querySelector('input:checked')?.value ?? null;

async function enterBook() {
  const form = $('book-form');
  clearErrors(form);
  show($('book-summary'), false);
  show($('book-loading'), true);
  const r = await api('GET', '/api/clinics');
  show($('book-loading'), false);
  if (!r.ok) {
    showFormAlert(form, r.data.message);
    return;
  }
  clinics = normaliseClinics(r.data).filter((c) => c.doctors.length > 0);
  if (clinics.length === 0) {
    showFormAlert(form, 'No doctors are taking bookings online at the moment. Please call the clinic.');
    return;
  }
  const select = $('book-clinic');
  const previous = select.value;
  select.replaceChildren(...clinics.map((c) => el('option', { value: c.id, text: c.name })));
  if (clinics.some((c) => String(c.id) === previous)) select.value = previous;
  show($('book-clinic-field'), clinics.length > 1);
  renderDoctors();
}

function renderDoctors() {
  const clinic = selectedClinic();
  const keep = selectedDoctorId();
  const box = $('book-doctors');
  box.replaceChildren(
    ...clinic.doctors.map((d) =>
      el(
        'label',
        { class: 'choice' },
        el('input', { type: 'radio', name: 'doctor_id', value: d.id, checked: String(d.id) === keep }),
        el('span', { class: 'choice-text' }, el('strong', { text: d.name }), d.specialty ? el('span', { class: 'muted', text: d.specialty }) : null),
      ),
    ),
  );
  const date = $('book-date');
  const today = todayIn(clinic.timezone);
  date.min = today;
  date.max = addDays(today, 90);
  if (!date.value || date.value < today) date.value = today;
  loadSlots();
}

$('book-clinic').addEventListener('change', renderDoctors);
$('book-doctors').addEventListener('change', () => {
  clearErrors($('book-form'));
  loadSlots();
});
$('book-date').addEventListener('change', () => {
  clearErrors($('book-form'));
  loadSlots();
});
for (const [id, step] of [
  ['book-prev-day', -1],
  ['book-next-day', 1],
]) {
  $(id).addEventListener('click', () => {
    const date = $('book-date');
    const next = addDays(date.value || todayIn(selectedClinic()?.timezone), step);
    if (date.min && next < date.min) return;
    date.value = next;
    clearErrors($('book-form'));
    loadSlots();
  });
}
$('book-slots').addEventListener('change', renderSummary);

async function loadSlots() {
  const box = $('book-slots');
  const status = $('book-slots-status');
  box.replaceChildren();
  renderSummary();
  const doctorId = selectedDoctorId();
  const date = $('book-date').value;
  $('book-prev-day').disabled = !date || date <= $('book-date').min;
  if (!doctorId || !date) {
    status.textContent = 'Choose a doctor and a date to see free times.';
    return;
  }
  const ticket = ++slotRequest;
  status.textContent = 'Looking for free times…';
  const r = await api('GET', `/api/doctors/${encodeURIComponent(doctorId)}/slots?date=${encodeURIComponent(date)}`);
  if (ticket !== slotRequest) return; // the user picked something else meanwhile
  if (!r.ok) {
    status.textContent = r.data.message;
    return;
  }
  const slots = r.data?.slots ?? [];
  if (slots.length === 0) {
    status.textContent = `No free times on ${formatDate(date)}. Try another day.`;
    return;
  }
  status.textContent = `${slots.length} free time${slots.length === 1 ? '' : 's'} on ${formatDate(date)}.`;
  box.replaceChildren(
    ...slots.map((s) =>
      el(
        'label',
        { class: 'slot' },
        el('input', { type: 'radio', name: 'time', value: s.time }),
        el('span', { text: s.time }),
      ),
    ),
  );
}

function renderSummary() {
  const doctor = selectedDoctor();
  const time = selectedTime();
  const summary = $('book-summary');
  if (doctor && time) {
    summary.textContent = `${doctor.name}, ${formatLongDate($('book-date').value)} at ${time}.`;
    show(summary, true);
  } else show(summary, false);
}

$('book-form').addEventListener('submit', (e) => {
  e.preventDefault();
  const form = e.currentTarget;
  clearErrors(form);
  if (!selectedDoctorId()) {
    fieldMessage('book-doctor-error', 'Choose a doctor.');
    $('book-doctors').querySelector('input')?.focus();
    return;
  }
  if (!selectedTime()) {
    const firstSlot = $('book-slots').querySelector('input');
    fieldMessage('book-time-error', firstSlot ? 'Choose a time.' : 'Choose a day with free times.');
    (firstSlot ?? $('book-date')).focus();
    return;
  }
  const doctor = selectedDoctor();
  const body = { doctor_id: Number(doctor.id), date: $('book-date').value, time: selectedTime() };
  busy(form, async () => {
    const r = await api('POST', '/api/me/appointments', body, { auth: true });
    if (r.ok) {
      const a = normaliseAppointment(r.data ?? {});
      const token = a.token ? ` Your token is ${a.token}.` : '';
      flash(`Booked: ${a.doctor || doctor.name} on ${formatDate(a.date || body.date)} at ${a.time || body.time}.${token} We will send you an SMS.`);
      go('appointments');
      return;
    }
    if (!session) return;
    showFormAlert(form, r.data.message);
    // A taken or past slot: show the times that are still free.
    if (['slot_taken', 'slot_in_past'].includes(r.data.error)) loadSlots();
  });
});

function fieldMessage(id, message) {
  const node = $(id);
  node.textContent = message;
  show(node, true);
}

// ---------------------------------------------------------------------------------------------
// Start.

const brand = document.querySelector('[data-brand]')?.textContent || 'MedQ';
window.addEventListener('hashchange', onNavigate);
window.addEventListener('popstate', onNavigate);
renderNav();
route();
