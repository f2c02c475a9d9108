// Book: clinic → doctor → date → free time → book.
import { $, $button, $form, $input, $select, el, show } from '../lib/dom.js';
import { DEFAULT_TZ, addDays, formatDate, formatLongDate, formatTime, todayIn } from '../lib/dates.js';
import { t, tn } from '../lib/i18n.js';
import { busy, clearErrors, fieldMessage, showFormAlert } from '../lib/forms.js';
import { normaliseAppointment } from './appointments.js';
import { flash, go, registerView } from './router.js';
import { api, session } from './session.js';

/**
 * @typedef {{ id: number, name: string, specialty: string }} DoctorChoice
 * @typedef {{ id: number, name: string, timezone: string, doctors: DoctorChoice[] }} ClinicChoice
 */

/** @type {ClinicChoice[]} */
let clinics = [];
let slotRequest = 0;

/**
 * @param {any} data the /api/clinics answer
 * @returns {ClinicChoice[]}
 */
function normaliseClinics(data) {
  /** @type {any[]} */
  const rows = data?.clinics ?? [];
  return rows.map((c) => ({
    id: c.id,
    name: c.name,
    timezone: c.timezone ?? DEFAULT_TZ,
    doctors: (c.doctors ?? []).map((/** @type {any} */ d) => ({ id: d.id, name: d.name, specialty: d.specialty ?? '' })),
  }));
}

const selectedClinic = () => clinics.find((c) => String(c.id) === $select('book-clinic').value) ?? clinics[0];
const selectedDoctorId = () => /** @type {HTMLInputElement | null} */ ($('book-doctors').querySelector('input:checked'))?.value ?? null;
const selectedDoctor = () => selectedClinic()?.doctors.find((d) => String(d.id) === selectedDoctorId());
const selectedTime = () => /** @type {HTMLInputElement | null} */ ($('book-slots').querySelector('input:checked'))?.value ?? null;

async function enterBook() {
  const form = $form('book-form');
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
    showFormAlert(form, t('book.no_doctors'));
    return;
  }
  const select = $select('book-clinic');
  const previous = select.value;
  select.replaceChildren(...clinics.map((c) => el('option', { value: c.id, text: c.name })));
  if (clinics.some((c) => String(c.id) === previous)) select.value = previous;
  show($('book-clinic-field'), clinics.length > 1);
  renderDoctors();
}
registerView('book', enterBook);

function renderDoctors() {
  const clinic = selectedClinic();
  if (!clinic) return;
  const keep = selectedDoctorId();
  $('book-doctors').replaceChildren(
    ...clinic.doctors.map((d) =>
      el(
        'label',
        { class: 'choice' },
        el('input', { type: 'radio', name: 'doctor_id', value: d.id, checked: String(d.id) === keep }),
        el('span', { class: 'choice-text' }, el('strong', { text: d.name }), d.specialty ? el('span', { class: 'muted', text: d.specialty }) : null),
      ),
    ),
  );
  const date = $input('book-date');
  const today = todayIn(clinic.timezone);
  date.min = today;
  date.max = addDays(today, 90);
  if (!date.value || date.value < today) date.value = today;
  loadSlots();
}

$('book-clinic').addEventListener('change', renderDoctors);
$('book-doctors').addEventListener('change', () => {
  clearErrors($form('book-form'));
  loadSlots();
});
$('book-date').addEventListener('change', () => {
  clearErrors($form('book-form'));
  loadSlots();
});
for (const [id, step] of /** @type {Array<[string, number]>} */ ([
  ['book-prev-day', -1],
  ['book-next-day', 1],
])) {
  $(id).addEventListener('click', () => {
    const date = $input('book-date');
    const next = addDays(date.value || todayIn(selectedClinic()?.timezone), step);
    if (date.min && next < date.min) return;
    date.value = next;
    clearErrors($form('book-form'));
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
  const date = $input('book-date').value;
  $button('book-prev-day').disabled = !date || date <= $input('book-date').min;
  if (!doctorId || !date) {
    status.textContent = t('book.choose_first');
    return;
  }
  const ticket = ++slotRequest;
  status.textContent = t('book.looking');
  const r = await api('GET', `/api/doctors/${encodeURIComponent(doctorId)}/slots?date=${encodeURIComponent(date)}`);
  if (ticket !== slotRequest) return; // the user picked something else meanwhile
  if (!r.ok) {
    status.textContent = r.data.message;
    return;
  }
  /** @type {Array<{ time: string }>} */
  const slots = r.data?.slots ?? [];
  if (slots.length === 0) {
    status.textContent = t('book.none_on', { date: formatDate(date) });
    return;
  }
  status.textContent = tn('book.free_on', slots.length, { date: formatDate(date) });
  box.replaceChildren(
    ...slots.map((s) => el('label', { class: 'slot' }, el('input', { type: 'radio', name: 'time', value: s.time }), el('span', { text: formatTime(s.time) }))),
  );
}

function renderSummary() {
  const doctor = selectedDoctor();
  const time = selectedTime();
  const summary = $('book-summary');
  if (doctor && time) {
    summary.textContent = t('book.summary', { doctor: doctor.name, date: formatLongDate($input('book-date').value), time: formatTime(time) });
    show(summary, true);
  } else show(summary, false);
}

$form('book-form').addEventListener('submit', (e) => {
  e.preventDefault();
  const form = $form('book-form');
  clearErrors(form);
  const doctor = selectedDoctor();
  if (!doctor) {
    fieldMessage('book-doctor-error', t('book.choose_doctor'));
    /** @type {HTMLInputElement | null} */ ($('book-doctors').querySelector('input'))?.focus();
    return;
  }
  const time = selectedTime();
  if (!time) {
    const firstSlot = /** @type {HTMLInputElement | null} */ ($('book-slots').querySelector('input'));
    fieldMessage('book-time-error', t(firstSlot ? 'book.choose_time' : 'book.choose_day'));
    (firstSlot ?? $input('book-date')).focus();
    return;
  }
  const body = { doctor_id: Number(doctor.id), date: $input('book-date').value, time };
  busy(form, async () => {
    const r = await api('POST', '/api/me/appointments', body, { auth: true });
    if (r.ok) {
      const a = normaliseAppointment(r.data ?? {});
      const booked = t('book.booked', { doctor: a.doctor || doctor.name, date: formatDate(a.date || body.date), time: formatTime(a.time || body.time) });
      flash([booked, a.token ? t('book.booked_token', { token: a.token }) : '', t('book.booked_sms')].filter(Boolean).join(' '));
      go('appointments');
      return;
    }
    if (!session()) return;
    showFormAlert(form, r.data.error === 'already_booked_with_doctor' ? t('errors.already_booked_with_doctor', { doctor: doctor.name }) : r.data.message);
    // A taken or past slot: show the times that are still free.
    if (['slot_taken', 'slot_in_past'].includes(r.data.error)) loadSlots();
  });
});
