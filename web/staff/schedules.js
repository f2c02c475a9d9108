// Weekly schedules (PUT /api/admin/doctors/:id/schedules) and closed dates (POST/DELETE
// /api/admin/closed-dates). Closing a date that has bookings answers 409 has_bookings: the page
// asks whether to cancel those bookings and notify the patients, or keep them (and the date open).
import { $, $form, $input, $select, el, show } from '../lib/dom.js';
import { formatLongDate, todayIn } from '../lib/dates.js';
import { busy, clearErrors, showApiError, showFormAlert, validate, values } from '../lib/forms.js';
import { currentClinic, loadClinics } from './clinics.js';
import { confirmChoice } from './confirm.js';
import { flashNow, registerView, staffApi } from './shell.js';

const WEEKDAYS = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];

/** @typedef {{ weekday: number, start: string, end: string, slot_minutes: number, capacity: number }} Block */

let blockSeq = 0;

async function enterSchedules() {
  clearErrors($form('schedule-form'));
  clearErrors($form('closed-form'));
  const loaded = await loadClinics();
  const clinic = currentClinic();
  if (!loaded.ok || !clinic) return;
  const doctorSelect = $select('schedule-doctor');
  const keep = doctorSelect.value;
  doctorSelect.replaceChildren(...clinic.doctors.map((d) => new Option(d.active ? d.name : `${d.name} (inactive)`, String(d.id))));
  if (keep && [...doctorSelect.options].some((o) => o.value === keep)) doctorSelect.value = keep;
  const closedDoctor = $select('closed-doctor');
  closedDoctor.replaceChildren(new Option('The whole clinic', ''), ...clinic.doctors.filter((d) => d.active).map((d) => new Option(d.name, String(d.id))));
  $input('closed-date').min = todayIn(clinic.timezone);
  await Promise.all([loadSchedule(), loadClosedDates()]);
}
registerView('schedules', enterSchedules);

// ------------------------------------------------------------------ weekly schedule

async function loadSchedule() {
  const form = $form('schedule-form');
  const id = $select('schedule-doctor').value;
  $('schedule-rows').replaceChildren();
  if (!id) return;
  const r = await staffApi('GET', `/api/admin/doctors/${encodeURIComponent(id)}/schedules`);
  if (!r.ok) return showFormAlert(form, r.data.message);
  /** @type {Block[]} */
  const blocks = r.data?.schedules ?? [];
  $('schedule-rows').replaceChildren(...blocks.map(blockRow));
  if (blocks.length === 0) $('schedule-rows').append(el('p', { class: 'muted', 'data-empty': true, text: 'No schedule: this doctor takes no bookings.' }));
}

/**
 * One block as a group of labelled fields.
 * @param {Block} b
 */
function blockRow(b) {
  const n = ++blockSeq;
  const id = (/** @type {string} */ part) => `block-${n}-${part}`;
  /**
   * @param {string} part
   * @param {string} label
   * @param {HTMLElement} input
   */
  const field = (part, label, input) => el('div', { class: 'field' }, el('label', { for: id(part), text: label }), input);
  const fieldset = el(
    'fieldset',
    { class: 'schedule-block', 'data-block': n },
    el('legend', { class: 'visually-hidden', text: `Block ${n}` }),
    field('weekday', 'Day', el('select', { id: id('weekday'), name: 'weekday' }, ...WEEKDAYS.map((w, i) => new Option(w, String(i + 1), false, i + 1 === b.weekday)))),
    field('start', 'From', el('input', { id: id('start'), name: 'start', type: 'time', required: true, value: b.start, 'data-required-msg': 'Enter the start time.' })),
    field('end', 'To', el('input', { id: id('end'), name: 'end', type: 'time', required: true, value: b.end, 'data-required-msg': 'Enter the end time.' })),
    field('slot', 'Minutes per patient', el('input', { id: id('slot'), name: 'slot_minutes', type: 'number', min: 5, max: 480, step: 1, required: true, value: b.slot_minutes, 'data-required-msg': 'Enter the minutes per patient.', 'data-range-msg': 'Between 5 and 480 minutes.' })),
    field('capacity', 'Patients per slot', el('input', { id: id('capacity'), name: 'capacity', type: 'number', min: 1, max: 50, step: 1, required: true, value: b.capacity, 'data-required-msg': 'Enter the patients per slot.', 'data-range-msg': 'Between 1 and 50.' })),
    el('button', {
      type: 'button',
      class: 'button button-small button-danger-outline',
      text: 'Remove',
      'aria-label': `Remove block ${n}`,
      onclick: () => {
        fieldset.remove();
        $('schedule-add').focus();
      },
    }),
  );
  for (const part of ['start', 'end', 'slot', 'capacity']) {
    fieldset.querySelector(`#${id(part)}`)?.after(el('p', { class: 'field-error', id: `${id(part)}-error`, hidden: true }));
  }
  return fieldset;
}

$select('schedule-doctor').addEventListener('change', () => {
  clearErrors($form('schedule-form'));
  loadSchedule();
});

$('schedule-add').addEventListener('click', () => {
  $('schedule-rows').querySelector('[data-empty]')?.remove();
  const row = blockRow({ weekday: 1, start: '09:00', end: '13:00', slot_minutes: 15, capacity: 1 });
  $('schedule-rows').append(row);
  /** @type {HTMLElement | null} */ (row.querySelector('select'))?.focus();
});

$form('schedule-form').addEventListener('submit', (e) => {
  e.preventDefault();
  const form = $form('schedule-form');
  if (!validate(form)) return;
  const id = $select('schedule-doctor').value;
  /** @type {Block[]} */
  const schedules = [...$('schedule-rows').querySelectorAll('fieldset')].map((fs) => {
    /** @param {string} name */
    const v = (name) => /** @type {HTMLInputElement} */ (fs.querySelector(`[name="${name}"]`)).value;
    return { weekday: Number(v('weekday')), start: v('start'), end: v('end'), slot_minutes: Number(v('slot_minutes')), capacity: Number(v('capacity')) };
  });
  busy(form, async () => {
    const r = await staffApi('PUT', `/api/admin/doctors/${encodeURIComponent(id)}/schedules`, { schedules });
    if (!r.ok) return showApiError(form, r.data);
    const name = $select('schedule-doctor').selectedOptions[0]?.textContent ?? 'the doctor';
    flashNow(`Saved the weekly schedule of ${name}. Existing bookings are kept.`);
    await loadSchedule();
  });
});

// ------------------------------------------------------------------ closed dates

async function loadClosedDates() {
  const clinic = currentClinic();
  if (!clinic) return;
  const r = await staffApi('GET', `/api/admin/closed-dates?clinic_id=${clinic.id}&from=${todayIn(clinic.timezone)}`);
  const list = $('closed-list');
  if (!r.ok) return showFormAlert($form('closed-form'), r.data.message);
  /** @type {Array<{ id: number, doctor_id: number | null, date: string, reason: string }>} */
  const dates = r.data?.closed_dates ?? [];
  dates.sort((a, b) => a.date.localeCompare(b.date));
  show($('closed-empty'), dates.length === 0);
  list.replaceChildren(
    ...dates.map((c) => {
      const who = c.doctor_id === null ? 'Whole clinic' : (clinic.doctors.find((d) => d.id === c.doctor_id)?.name ?? `Doctor ${c.doctor_id}`);
      const what = `${formatLongDate(c.date)}: ${who}${c.reason ? ` (${c.reason})` : ''}`;
      return el(
        'li',
        {},
        el('span', { text: what }),
        el('button', {
          type: 'button',
          class: 'button button-small',
          text: 'Open again',
          'aria-label': `Open ${formatLongDate(c.date)} again (${who})`,
          onclick: async () => {
            const d = await staffApi('DELETE', `/api/admin/closed-dates/${c.id}`);
            if (!d.ok) return flashNow(d.data.message, 'error');
            flashNow(`${formatLongDate(c.date)} is open again for ${who === 'Whole clinic' ? 'the whole clinic' : who}.`);
            await loadClosedDates();
            $input('closed-date').focus();
          },
        }),
      );
    }),
  );
}

/** @param {number} n */
const bookingsText = (n) => (n === 1 ? 'There is 1 upcoming booking' : n > 1 ? `There are ${n} upcoming bookings` : 'There are upcoming bookings');

$form('closed-form').addEventListener('submit', (e) => {
  e.preventDefault();
  const form = $form('closed-form');
  const clinic = currentClinic();
  if (!validate(form) || !clinic) return;
  const v = values(form);
  const body = {
    clinic_id: clinic.id,
    doctor_id: v['doctor_id'] ? Number(v['doctor_id']) : null,
    date: v['date'] ?? '',
    ...(v['reason']?.trim() ? { reason: v['reason'].trim() } : {}),
  };
  busy(form, async () => {
    let r = await staffApi('POST', '/api/admin/closed-dates', body);
    if (!r.ok && r.data.error === 'has_bookings') {
      const cancel = await confirmChoice({
        title: 'There are bookings on that date',
        text: `${bookingsText(Number(r.data.bookings))} on ${formatLongDate(body.date)}. Cancel those bookings and send each patient the cancellation SMS, or keep them and leave the date open?`,
        yes: 'Cancel those bookings and notify them',
        no: 'Keep the bookings',
      });
      if (!cancel) {
        flashNow(`Nothing changed: ${formatLongDate(body.date)} stays open and its bookings are kept.`, 'info');
        return;
      }
      r = await staffApi('POST', '/api/admin/closed-dates', { ...body, cancel_bookings: true });
    }
    if (!r.ok) return showApiError(form, r.data);
    const n = Number(r.data?.cancelled ?? 0);
    flashNow(`Closed ${formatLongDate(body.date)}.${n ? ` ${n} booking${n === 1 ? '' : 's'} cancelled; the patients get an SMS.` : ''}`);
    form.reset();
    await loadClosedDates();
  });
});
