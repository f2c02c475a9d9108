// Book for a caller or a walk-in by phone number (POST /api/admin/appointments, channel desk): the
// booking joins the account of that phone, or makes one and sends the welcome SMS, as the IVR does.
import { $, $form, $input, $select } from '../lib/dom.js';
import { formatDate, todayIn } from '../lib/dates.js';
import { busy, clearErrors, showApiError, validate, values } from '../lib/forms.js';
import { request } from '../lib/api.js';
import { currentClinic, loadClinics } from './clinics.js';
import { flashNow, registerView, staffApi } from './shell.js';

let slotTicket = 0;

async function enterBook() {
  const form = $form('desk-book-form');
  clearErrors(form);
  const loaded = await loadClinics();
  const clinic = currentClinic();
  if (!loaded.ok || !clinic) return;
  const select = $select('desk-doctor');
  const keep = select.value;
  select.replaceChildren(
    new Option('Choose a doctor', ''),
    ...clinic.doctors.filter((d) => d.active).map((d) => new Option(d.specialty ? `${d.name} (${d.specialty})` : d.name, String(d.id))),
  );
  select.value = keep && [...select.options].some((o) => o.value === keep) ? keep : '';
  const date = $input('desk-date');
  date.min = todayIn(clinic.timezone);
  if (!date.value || date.value < date.min) date.value = date.min;
  await loadSlots();
}
registerView('book', enterBook);

async function loadSlots() {
  const select = $select('desk-time');
  const status = $('desk-slots-status');
  const doctorId = $select('desk-doctor').value;
  const date = $input('desk-date').value;
  select.replaceChildren(new Option('Choose a time', ''));
  if (!doctorId || !date) {
    status.textContent = 'Choose a doctor and a date to see free times.';
    return;
  }
  const ticket = ++slotTicket;
  status.textContent = 'Looking for free times…';
  const r = await request('GET', `/api/doctors/${encodeURIComponent(doctorId)}/slots?date=${encodeURIComponent(date)}`);
  if (ticket !== slotTicket) return;
  if (!r.ok) {
    status.textContent = r.data.message;
    return;
  }
  /** @type {Array<{ time: string, token: string }>} */
  const slots = r.data?.slots ?? [];
  select.append(...slots.map((s) => new Option(`${s.time} (token ${s.token})`, s.time)));
  status.textContent = slots.length
    ? `${slots.length} free time${slots.length === 1 ? '' : 's'} on ${formatDate(date)}.`
    : `No free times on ${formatDate(date)}. Try another day.`;
}

$select('desk-doctor').addEventListener('change', () => loadSlots());
$input('desk-date').addEventListener('change', () => loadSlots());

$form('desk-book-form').addEventListener('submit', (e) => {
  e.preventDefault();
  const form = $form('desk-book-form');
  if (!validate(form)) return;
  const v = values(form);
  /** @type {{ phone_number: string, doctor_id: number, date: string, time: string, name?: string }} */
  const body = { phone_number: (v['phone_number'] ?? '').trim(), doctor_id: Number(v['doctor_id']), date: v['date'] ?? '', time: v['time'] ?? '' };
  const name = (v['name'] ?? '').trim();
  if (name) body.name = name;
  busy(form, async () => {
    const r = await staffApi('POST', '/api/admin/appointments', body);
    if (!r.ok) {
      showApiError(form, r.data);
      if (['slot_taken', 'slot_in_past'].includes(r.data.error)) await loadSlots();
      return;
    }
    const a = r.data;
    flashNow(`Booked ${a.patient_name} (${a.phone_number}) with ${a.doctor} on ${formatDate(a.date)} at ${a.time}: token ${a.token}. The SMS is on its way.`);
    $input('desk-phone').value = '';
    $input('desk-name').value = '';
    await loadSlots();
    $input('desk-phone').focus();
  });
});
