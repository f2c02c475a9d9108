// Forms: our own inline validation so every message sits next to its field, and API errors shown
// beside the field they are about.
import { $input, show } from './dom.js';
import { has, t } from './i18n.js';

/** @typedef {HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement} Field */

/** @param {ParentNode} form */
export function formAlert(form) {
  return /** @type {HTMLElement | null} */ (form.querySelector('[data-form-alert]'));
}

/** @param {Element} input */
function fieldErrorNode(input) {
  return input.id ? document.getElementById(`${input.id}-error`) : null;
}

/**
 * @param {Field} input
 * @param {string} message
 */
export function setFieldError(input, message) {
  const node = fieldErrorNode(input);
  if (!node) return;
  node.textContent = message;
  show(node, true);
  input.setAttribute('aria-invalid', 'true');
  const described = (input.getAttribute('aria-describedby') ?? '').split(' ').filter(Boolean);
  if (!described.includes(node.id)) input.setAttribute('aria-describedby', [...described, node.id].join(' '));
}

/** @param {ParentNode} form */
export function clearErrors(form) {
  for (const input of form.querySelectorAll('[aria-invalid]')) input.removeAttribute('aria-invalid');
  for (const node of form.querySelectorAll('.field-error')) {
    node.textContent = '';
    show(/** @type {HTMLElement} */ (node), false);
  }
  const alert = formAlert(form);
  if (alert) {
    alert.textContent = '';
    show(alert, false);
  }
}

/**
 * @param {ParentNode} form
 * @param {string} message
 */
export function showFormAlert(form, message) {
  const alert = formAlert(form);
  if (!alert) return;
  alert.textContent = message;
  show(alert, true);
  alert.scrollIntoView({ block: 'nearest' });
}

/** @param {Field} input */
function validationMessage(input) {
  const v = input.validity;
  const data = input.dataset;
  if (v.valueMissing) return data['requiredMsg'] ?? (has('common.required') ? t('common.required') : 'This is required.');
  if (v.tooShort) return data['shortMsg'] ?? input.validationMessage;
  if (v.patternMismatch) return data['patternMsg'] ?? input.validationMessage;
  if (v.rangeUnderflow || v.rangeOverflow || v.stepMismatch || v.badInput) return data['rangeMsg'] ?? input.validationMessage;
  return input.validationMessage;
}

/**
 * Checks the form's fields; shows each problem beside its field and focuses the first one.
 * @param {HTMLFormElement} form
 * @param {() => Array<[Field, string]>} [extra] checks the browser cannot make
 */
export function validate(form, extra = () => []) {
  clearErrors(form);
  /** @type {Field | null} */
  let first = null;
  for (const input of /** @type {NodeListOf<Field>} */ (form.querySelectorAll('input, select, textarea'))) {
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
/** @type {Record<string, string>} */
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
 * @param {HTMLFormElement} form
 * @param {import('./api.js').ApiErrorBody} data
 * @param {Record<string, string>} [rename]
 */
export function showApiError(form, data, rename = {}) {
  clearErrors(form);
  /** @param {string} name */
  const byName = (name) => /** @type {Field | null} */ (form.querySelector(`[name="${rename[name] ?? name}"]`));
  const errorField = data.error ? FIELD_FOR_ERROR[data.error] : undefined;
  let target = errorField ? byName(errorField) : null;
  if (target && !target.closest('[hidden]')) {
    setFieldError(target, data.message);
    target.focus();
    return;
  }
  // validation_error: each detail beside its field; the top message only if it adds something.
  let placed = 0;
  /** @type {Field | null} */
  let first = null;
  for (const d of Array.isArray(data.details) ? data.details : []) {
    const name = detailField(d);
    target = name ? byName(name) : null;
    if (!target || target.closest('[hidden]') || typeof d.message !== 'string') continue;
    // A finer code (weak_password, invalid_username) comes with a full sentence; ajv's are fragments.
    setFieldError(target, detailText(d, labelOf(target)));
    if (d.message === (data['server_message'] ?? data.message)) placed++;
    first ??= target;
  }
  if (!first || placed === 0) showFormAlert(form, data.message);
  /** @type {Field | null} */ (first)?.focus();
}

/**
 * One validation detail as a sentence in the page's language (the staff pages keep the API's).
 * @param {{ message: string, reason?: string }} d
 * @param {string} label
 */
function detailText(d, label) {
  if (d.reason) return has(`errors.${d.reason}`) ? t(`errors.${d.reason}`) : d.message;
  return has('errors.field') ? t('errors.field', { label, message: d.message }) : `${label} ${d.message}.`;
}

/** @param {Field} input */
function labelOf(input) {
  return input.labels?.[0]?.textContent?.trim() ?? input.name;
}

/**
 * The API names a detail's field as "body.phone_number": the last part is the form field.
 * @param {unknown} d
 */
function detailField(d) {
  if (!d || typeof d !== 'object' || !('field' in d) || typeof d.field !== 'string') return null;
  return d.field.split(/[./]/).pop() || null;
}

/**
 * Runs an async submit with the buttons disabled, so a double tap sends one request.
 * @param {HTMLElement} form
 * @param {() => Promise<void>} work
 */
export async function busy(form, work) {
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

/**
 * The form's fields as strings, by name.
 * @param {HTMLFormElement} form
 * @returns {Record<string, string>}
 */
export function values(form) {
  /** @type {Record<string, string>} */
  const out = {};
  for (const [k, v] of new FormData(form).entries()) if (typeof v === 'string') out[k] = v;
  return out;
}

/**
 * @param {string} id
 * @param {string} message
 */
export function fieldMessage(id, message) {
  const node = document.getElementById(id);
  if (!node) return;
  node.textContent = message;
  show(node, true);
}

/** "Show password" check boxes: `data-reveal="id1 id2"`. */
export function enableRevealBoxes() {
  document.addEventListener('change', (e) => {
    const box = e.target;
    if (!(box instanceof HTMLInputElement) || !box.dataset['reveal']) return;
    for (const id of box.dataset['reveal'].split(' ')) $input(id).type = box.checked ? 'text' : 'password';
  });
}

/**
 * A field's message goes away as soon as the field is edited (the form re-checks on submit).
 * @param {HTMLFormElement} form
 */
export function clearFieldErrorsOnEdit(form) {
  /** @param {Event} e */
  const clear = (e) => {
    const input = e.target;
    if (!(input instanceof HTMLInputElement || input instanceof HTMLSelectElement || input instanceof HTMLTextAreaElement)) return;
    if (input.getAttribute('aria-invalid') !== 'true') return;
    input.removeAttribute('aria-invalid');
    const node = fieldErrorNode(input);
    if (node) {
      node.textContent = '';
      show(node, false);
    }
  };
  form.addEventListener('input', clear);
  form.addEventListener('change', clear);
}
