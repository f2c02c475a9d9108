// My appointments: every appointment of the account's patients, newest first; cancel upcoming ones.
import { $, $dialog, el, show } from '../lib/dom.js';
import { DEFAULT_TZ, formatDate, formatLongDate, formatTime, nowIn } from '../lib/dates.js';
import { has, t } from '../lib/i18n.js';
import { flash, registerView, route } from './router.js';
import { api, session } from './session.js';

/** The text key of each booking channel (ivr and phone are the same). */
/** @type {Record<string, string>} */
const CHANNEL_KEY = { ivr: 'channel.phone', phone: 'channel.phone', web: 'channel.web', desk: 'channel.desk', staff: 'channel.desk' };
/** @param {string} status */
const statusText = (status) => (has(`status.${status}`) ? t(`status.${status}`) : status);
/** @param {string} channel */
const channelText = (channel) => (CHANNEL_KEY[channel] ? t(/** @type {string} */ (CHANNEL_KEY[channel])) : channel);

/**
 * @typedef {{ id: number, doctor: string, specialty: string, clinic: string, date: string, time: string,
 *   token: string, status: string, channel: string, patient: string, cancellable: boolean }} Appt
 */

/**
 * One appointment as the page shows it (API keys: doctor, clinic, patient_name, cancellable…).
 * @param {any} a
 * @returns {Appt}
 */
export function normaliseAppointment(a) {
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

export async function loadAppointments() {
  const list = $('appt-list');
  show($('appt-alert'), false);
  show($('appt-empty'), false);
  show($('appt-loading'), true);
  list.setAttribute('aria-busy', 'true');
  const r = await api('GET', '/api/me/appointments', undefined, { auth: true });
  show($('appt-loading'), false);
  list.removeAttribute('aria-busy');
  if (!r.ok) {
    if (session()) {
      $('appt-alert').textContent = r.data.message;
      show($('appt-alert'), true);
    }
    return;
  }
  /** @type {any[]} */
  const rows = r.data?.appointments ?? [];
  renderAppointments(rows.map(normaliseAppointment));
}
registerView('appointments', loadAppointments);

/** @param {Appt[]} items */
function renderAppointments(items) {
  const list = $('appt-list');
  list.replaceChildren();
  show($('appt-empty'), items.length === 0);
  const me = session()?.user?.name;
  for (const a of items) {
    const upcoming = a.cancellable;
    const channelKey = a.channel === 'ivr' ? 'phone' : a.channel;
    const li = el(
      'li',
      { class: `appt appt-${a.status}${upcoming ? ' appt-upcoming' : ''}`, 'data-appointment-id': a.id },
      el('div', { class: 'appt-when' }, el('p', { class: 'appt-date', text: formatDate(a.date) }), el('p', { class: 'appt-time', text: formatTime(a.time) })),
      el(
        'div',
        { class: 'appt-body' },
        el('p', { class: 'appt-doctor' }, el('strong', { text: a.doctor }), a.specialty ? el('span', { class: 'muted', text: ` · ${a.specialty}` }) : null),
        el('p', { class: 'appt-clinic', text: a.clinic }),
        // Whose appointment it is: the account holder's name (the web name wins, SPEC §3) or a family member's.
        a.patient ? el('p', { class: 'appt-patient muted', text: a.patient === me ? a.patient : t('appts.for', { name: a.patient }) }) : null,
        el(
          'p',
          { class: 'badges' },
          el('span', { class: `badge badge-status badge-${a.status}`, text: statusText(a.status) }),
          ' ',
          el('span', { class: `badge badge-channel badge-${channelKey}`, text: channelText(a.channel) }),
        ),
      ),
      el(
        'div',
        { class: 'appt-side' },
        el('p', { class: 'appt-token' }, el('span', { class: 'appt-token-label', text: t('appts.token') }), ' ', el('span', { class: 'appt-token-value', text: a.token })),
        upcoming
          ? el('button', {
              type: 'button',
              class: 'button button-danger-outline button-small',
              text: t('appts.cancel'),
              'aria-label': t('appts.cancel_label', { doctor: a.doctor, date: formatDate(a.date), time: formatTime(a.time) }),
              onclick: () => askCancel(a),
            })
          : null,
      ),
    );
    list.append(li);
  }
}

/** @param {Appt} a */
function askCancel(a) {
  const dialog = $dialog('cancel-dialog');
  $('cancel-text').textContent = t('appts.cancel_text', { doctor: a.doctor, date: formatLongDate(a.date), time: formatTime(a.time), token: a.token });
  dialog.returnValue = '';
  dialog.onclose = async () => {
    if (dialog.returnValue !== 'confirm') return;
    const r = await api('POST', `/api/me/appointments/${encodeURIComponent(a.id)}/cancel`, undefined, { auth: true });
    if (r.ok) {
      flash(t('appts.cancelled', { doctor: a.doctor, date: formatDate(a.date), time: formatTime(a.time) }));
      route();
    } else if (session()) {
      $('appt-alert').textContent = r.data.message;
      show($('appt-alert'), true);
      loadAppointments();
    }
  };
  dialog.showModal();
}
