// Today's list per doctor with the token queue: arrived, call next (or call a skipped token),
// completed, no-show and cancel (with a confirm step). Every action is a real <button>, so Tab,
// Enter and Space work; after a re-render focus returns to the same action (or its row).
import { $, $input, $select, el, show } from '../lib/dom.js';
import { formatLongDate, todayIn } from '../lib/dates.js';
import { watchQueue } from '../lib/queue.js';
import { chooseClinic, currentClinic, fillClinicSelect, loadClinics } from './clinics.js';
import { confirmChoice } from './confirm.js';
import { flashNow, registerView, staffApi } from './shell.js';

/** @type {Record<string, string>} */
export const CHANNEL_LABEL = { ivr: 'Phone', web: 'Web', desk: 'Desk', staff: 'Desk' };
/** @type {Record<string, string>} */
export const STATUS_LABEL = { booked: 'Booked', arrived: 'Arrived', completed: 'Completed', no_show: 'No-show', cancelled: 'Cancelled' };

/**
 * @typedef {{ id: number, patient_name: string, phone_number: string, channel: string, doctor_id: number,
 *   doctor: string, clinic_id: number, date: string, time: string, token: string, status: string,
 *   cancellable: boolean, reminder_sent?: boolean }} DayRow
 */

/** @type {Map<number, string | null>} now serving per doctor, from the queue */
const nowServing = new Map();
/** @type {DayRow[]} */
let rows = [];
/** @type {(() => void) | null} */
let stopWatching = null;
let watchedClinic = 0;
let loadTicket = 0;

async function enterToday() {
  show($('today-alert'), false);
  const loaded = await loadClinics();
  if (!loaded.ok) return showAlert(loaded.message);
  const clinic = currentClinic();
  if (!clinic) return showAlert('There is no clinic yet. Add one with the admin API.');
  fillClinicSelect($select('today-clinic'), $('today-clinic-field'));
  const date = $input('today-date');
  if (!date.value) date.value = todayIn(clinic.timezone);
  $('today-display-link').setAttribute('href', `/display/${clinic.id}`);
  follow(clinic.id);
  await loadDay();
}

function leaveToday() {
  stopWatching?.();
  stopWatching = null;
  watchedClinic = 0;
}

registerView('today', enterToday, leaveToday);

/**
 * Keeps "now serving" live: another desk's "call next" shows here too.
 * @param {number} clinicId
 */
function follow(clinicId) {
  if (watchedClinic === clinicId) return;
  stopWatching?.();
  watchedClinic = clinicId;
  stopWatching = watchQueue(clinicId, {
    onState: (s) => {
      if (s.date !== $input('today-date').value) return;
      for (const d of s.doctors) nowServing.set(d.doctor_id, d.now_serving);
      renderNowServing();
    },
  });
}

/** @param {string} message */
function showAlert(message) {
  $('today-alert').textContent = message;
  show($('today-alert'), true);
}

async function loadDay() {
  const clinic = currentClinic();
  if (!clinic) return;
  const date = $input('today-date').value || todayIn(clinic.timezone);
  const ticket = ++loadTicket;
  show($('today-loading'), rows.length === 0);
  const r = await staffApi('GET', `/api/admin/appointments?date=${encodeURIComponent(date)}`);
  if (ticket !== loadTicket) return;
  show($('today-loading'), false);
  if (!r.ok) return showAlert(r.data.message);
  show($('today-alert'), false);
  /** @type {DayRow[]} */
  const all = r.data?.appointments ?? [];
  rows = all.filter((a) => a.clinic_id === clinic.id);
  $('today-title').textContent = date === todayIn(clinic.timezone) ? `Today, ${formatLongDate(date)}` : formatLongDate(date);
  render();
}

/** The element that had focus, as a key that survives re-rendering. */
function focusKey() {
  const a = /** @type {HTMLElement | null} */ (document.activeElement);
  return { key: a?.dataset['focusKey'] ?? null, row: a?.closest('tr')?.dataset['row'] ?? null, doctor: a?.closest('section')?.dataset['doctor'] ?? null };
}

/** @param {{ key: string | null, row: string | null, doctor: string | null }} f */
function restoreFocus(f) {
  if (!f.key) return;
  const board = $('today-doctors');
  const target =
    board.querySelector(`[data-focus-key="${f.key}"]`) ??
    (f.row ? board.querySelector(`tr[data-row="${f.row}"] button`) : null) ??
    (f.doctor ? board.querySelector(`section[data-doctor="${f.doctor}"] [data-focus-key^="next:"]`) : null);
  /** @type {HTMLElement | null} */ (target)?.focus();
}

function render() {
  const clinic = currentClinic();
  if (!clinic) return;
  const f = focusKey();
  const doctors = clinic.doctors.filter((d) => d.active || rows.some((a) => a.doctor_id === d.id));
  $('today-doctors').replaceChildren(...doctors.map((d) => doctorSection(d, rows.filter((a) => a.doctor_id === d.id))));
  if (doctors.length === 0) $('today-doctors').append(el('p', { class: 'card empty', text: 'No doctors at this clinic yet.' }));
  renderNowServing();
  restoreFocus(f);
}

function renderNowServing() {
  for (const node of /** @type {NodeListOf<HTMLElement>} */ ($('today-doctors').querySelectorAll('[data-now-serving]'))) {
    const token = nowServing.get(Number(node.dataset['nowServing'])) ?? null;
    node.textContent = token ?? 'nobody yet';
    node.toggleAttribute('data-nobody', token === null);
  }
  for (const tr of /** @type {NodeListOf<HTMLElement>} */ ($('today-doctors').querySelectorAll('tr[data-row]'))) {
    const serving = nowServing.get(Number(tr.dataset['doctor'])) ?? null;
    tr.classList.toggle('row-serving', serving !== null && tr.dataset['token'] === serving);
  }
}

/**
 * @param {import('./clinics.js').StaffDoctor} d
 * @param {DayRow[]} list
 */
function doctorSection(d, list) {
  const titleId = `doctor-${d.id}-title`;
  const waiting = list.filter((a) => a.status === 'booked' || a.status === 'arrived').length;
  return el(
    'section',
    { class: 'card desk-doctor', 'aria-labelledby': titleId, 'data-doctor': d.id },
    el(
      'div',
      { class: 'desk-doctor-head' },
      el('h2', { id: titleId }, d.name, d.specialty ? el('span', { class: 'muted desk-specialty', text: ` · ${d.specialty}` }) : null),
      el('p', { class: 'now-serving' }, 'Now serving ', el('strong', { class: 'now-serving-token', 'data-now-serving': d.id })),
      el('button', {
        type: 'button',
        class: 'button button-primary',
        text: 'Call next',
        'aria-label': `Call next for ${d.name}`,
        'data-focus-key': `next:${d.id}`,
        onclick: () => callNext(d.id, d.name),
      }),
    ),
    list.length === 0
      ? el('p', { class: 'muted', text: 'No bookings this day.' })
      : el(
          'div',
          { class: 'table-wrap' },
          el(
            'table',
            { class: 'day-table' },
            el('caption', { class: 'visually-hidden', text: `${d.name}: ${list.length} booking${list.length === 1 ? '' : 's'}, ${waiting} waiting` }),
            el(
              'thead',
              {},
              el('tr', {}, ...['Token', 'Time', 'Patient', 'Booked by', 'Status', 'Actions'].map((h) => el('th', { scope: 'col', text: h }))),
            ),
            el('tbody', {}, ...list.map((a) => row(a, d.name))),
          ),
        ),
  );
}

/**
 * @param {DayRow} a
 * @param {string} doctorName
 */
function row(a, doctorName) {
  const live = a.status === 'booked' || a.status === 'arrived';
  const who = `${a.token} ${a.patient_name}`;
  /**
   * @param {string} action
   * @param {string} text
   * @param {string} label
   * @param {() => void} run
   * @param {string} [cls]
   */
  const button = (action, text, label, run, cls = '') =>
    el('button', { type: 'button', class: `button button-small ${cls}`, text, 'aria-label': label, 'data-focus-key': `${action}:${a.id}`, onclick: run });
  return el(
    'tr',
    { 'data-row': a.id, 'data-doctor': a.doctor_id, 'data-token': a.token, class: `row-${a.status}` },
    el('th', { scope: 'row', class: 'cell-token', text: a.token }),
    el('td', { text: a.time }),
    el('td', { class: 'cell-patient' }, el('span', { text: a.patient_name }), el('span', { class: 'muted cell-phone', text: a.phone_number })),
    el('td', { 'data-label': 'Booked by' }, el('span', { class: `badge badge-channel badge-${a.channel}`, text: CHANNEL_LABEL[a.channel] ?? a.channel })),
    el(
      'td',
      { 'data-label': 'Status' },
      el('span', { class: `badge badge-status badge-${a.status}`, text: STATUS_LABEL[a.status] ?? a.status }),
      a.reminder_sent === true ? el('span', { class: 'badge badge-reminder', text: 'Reminder sent' }) : null,
    ),
    el(
      'td',
      { class: 'cell-actions' },
      a.status === 'booked' ? button('arrived', 'Arrived', `Mark ${who} arrived`, () => markArrived(a)) : null,
      live ? button('call', 'Call', `Call ${a.token} now`, () => callNext(a.doctor_id, doctorName, a.token)) : null,
      live ? button('completed', 'Completed', `Mark ${who} completed`, () => setOutcome(a, 'completed')) : null,
      live ? button('no_show', 'No-show', `Mark ${who} no-show`, () => setOutcome(a, 'no_show')) : null,
      a.cancellable ? button('cancel', 'Cancel', `Cancel ${who}`, () => cancel(a, doctorName), 'button-danger-outline') : null,
    ),
  );
}

/**
 * @param {import('../lib/api.js').ApiResult} r
 * @param {string} done
 */
async function after(r, done) {
  if (!r.ok) {
    flashNow(r.data.message, 'error');
    await loadDay();
    return false;
  }
  // The list first, then the message: what the message says is already on screen.
  await loadDay();
  flashNow(done);
  return true;
}

/** @param {DayRow} a */
async function markArrived(a) {
  const r = await staffApi('POST', `/api/admin/appointments/${a.id}/arrived`);
  await after(r, `${a.token} ${a.patient_name} has arrived.`);
}

/**
 * @param {number} doctorId
 * @param {string} doctorName
 * @param {string} [token] a skipped token called on purpose
 */
async function callNext(doctorId, doctorName, token) {
  const r = await staffApi('POST', `/api/admin/doctors/${doctorId}/queue/next`, token ? { token } : {});
  if (r.ok) nowServing.set(doctorId, r.data?.now_serving ?? null);
  const serving = r.data?.now_serving;
  await after(r, serving ? `${doctorName}: now serving ${serving}.` : `${doctorName}: nobody is waiting.`);
}

/**
 * @param {DayRow} a
 * @param {'completed' | 'no_show'} outcome
 */
async function setOutcome(a, outcome) {
  const r = await staffApi('POST', `/api/admin/appointments/${a.id}/outcome`, { outcome });
  await after(r, `${a.token} ${a.patient_name}: ${outcome === 'completed' ? 'completed' : 'no-show'}.`);
}

/**
 * @param {DayRow} a
 * @param {string} doctorName
 */
async function cancel(a, doctorName) {
  const yes = await confirmChoice({
    title: 'Cancel this booking?',
    text: `${a.token} ${a.patient_name} with ${doctorName} at ${a.time} on ${formatLongDate(a.date)}. The patient gets the cancellation SMS.`,
    yes: 'Yes, cancel and send the SMS',
    no: 'Keep the booking',
  });
  if (!yes) return;
  const r = await staffApi('POST', `/api/admin/appointments/${a.id}/cancel`);
  await after(r, `Cancelled ${a.token} ${a.patient_name}; the SMS is on its way.`);
}

$select('today-clinic').addEventListener('change', () => {
  chooseClinic(Number($select('today-clinic').value));
  rows = [];
  $input('today-date').value = '';
  enterToday();
});
$input('today-date').addEventListener('change', () => {
  rows = [];
  loadDay();
});
$('today-refresh').addEventListener('click', () => loadDay());
