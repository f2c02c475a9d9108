// What each menu says: the prompt items of a menu, built from the call's doctors and options.
import type { AppointmentSummary, DoctorInfo, Menu, OfferedSlot, QueueInfo } from './flow.js';
import type { PromptId, PromptItem } from './prompts.js';

/** Keys 1…8 pick a doctor; 9 pages on (SPEC §6). */
export const DOCTORS_PER_PAGE = 8;

export interface MenuView {
  doctors: readonly DoctorInfo[];
  phoneSource: 'callerId' | 'keyed' | null;
  receptionConfigured: boolean;
  /** LANGUAGES: with more than one, the main menu offers key 8 and the offer lists them. */
  languages: readonly string[];
}

const P = (id: PromptId): PromptItem => ({ prompt: id });

export function pageOf(doctors: readonly DoctorInfo[], page: number): readonly DoctorInfo[] {
  return doctors.slice(page * DOCTORS_PER_PAGE, (page + 1) * DOCTORS_PER_PAGE);
}

export function pageCount(doctors: readonly DoctorInfo[]): number {
  return Math.max(1, Math.ceil(doctors.length / DOCTORS_PER_PAGE));
}

/** A doctor's name, with the key it is offered on for the "doctor number N" fallback. */
export function doctorNameItem(doctors: readonly DoctorInfo[], doctorId: number): PromptItem {
  const i = doctors.findIndex((d) => d.id === doctorId);
  const name = doctors[i]?.name ?? '';
  return i < 0 ? { doctorName: doctorId, name } : { doctorName: doctorId, name, key: (i % DOCTORS_PER_PAGE) + 1 };
}

function doctorMenu(doctors: readonly DoctorInfo[], page: number): PromptItem[] {
  const items: PromptItem[] = [P('doctor-menu-intro')];
  pageOf(doctors, page).forEach((d, i) => {
    items.push({ doctorName: d.id, name: d.name, key: i + 1 });
    if (d.specialty.trim()) items.push({ specialty: d.id, name: d.specialty });
    items.push(P(`press-${i + 1}` as PromptId));
  });
  if (doctors.length > DOCTORS_PER_PAGE) {
    items.push(P(page + 1 < pageCount(doctors) ? 'more-doctors' : 'first-doctors'));
  }
  items.push(P('back'));
  return items;
}

/** "Now serving S-3. There are 2 patients before you." (SPEC §11), for a booking of today. */
export function queueItems(q: QueueInfo): PromptItem[] {
  const serving: PromptItem[] = q.nowServing ? [P('queue-now-serving'), { token: q.nowServing }] : [];
  switch (q.standing) {
    case 'serving':
      return [P('queue-your-turn')];
    case 'passed':
      return [...serving, P('queue-passed')];
    case 'not_started':
    case 'waiting': {
      const head = q.standing === 'not_started' ? [P('queue-not-started')] : serving;
      if (q.before <= 0) return [...head, P('queue-you-are-next')];
      if (q.before === 1) return [...head, P('queue-one-before')];
      return [...head, P('queue-there-are'), { number: q.before }, P('queue-patients-before')];
    }
  }
}

function appointmentItem(item: AppointmentSummary, last: boolean): PromptItem[] {
  return [
    P('appointment-item'),
    { doctorName: item.doctorId, name: item.doctorName },
    P('on'),
    { date: item.date },
    P('at'),
    { time: item.time },
    P('token-label'),
    { token: item.token },
    ...(item.queue ? queueItems(item.queue) : []),
    P(last ? 'appointment-keys-last' : 'appointment-keys'),
  ];
}

export function menuPrompt(menu: Menu, view: MenuView): PromptItem[] {
  switch (menu.name) {
    case 'main': {
      const items = [P(view.phoneSource === 'callerId' ? 'main-menu' : 'main-menu-no-appointments')];
      if (view.languages.length > 1) items.push(P('language-option'));
      if (view.receptionConfigured) items.push(P('reception-option'));
      return items;
    }
    case 'language':
      // Each language in its own words, with its key (its place in LANGUAGES).
      return view.languages.map((offer, i) => ({ offer, key: i + 1 }));
    case 'phoneEntry':
      return [P('enter-phone')];
    case 'phoneConfirm':
      return [P('you-entered'), { digits: menu.digits }, P('confirm-phone-keys')];
    case 'doctors':
      return doctorMenu(view.doctors, menu.page);
    case 'slot':
      return [
        P('slot-offer-intro'),
        doctorNameItem(view.doctors, menu.doctorId),
        P('is-on'),
        { date: menu.slot.date },
        P('at'),
        { time: menu.slot.time },
        P('slot-offer-keys'),
      ];
    case 'appointment':
      return appointmentItem(menu.items[menu.index]!, menu.index === menu.items.length - 1);
    case 'cancelConfirm':
      return [P('cancel-confirm')];
  }
}

/** Said only after the booking committed: what, when, the token, the SMS, goodbye follows. */
export function confirmationPrompt(
  doctors: readonly DoctorInfo[],
  doctorId: number,
  slot: OfferedSlot,
  token: string,
): PromptItem[] {
  const items: PromptItem[] = [
    P('your-appointment-with'),
    doctorNameItem(doctors, doctorId),
    P('on'),
    { date: slot.date },
    P('at'),
    { time: slot.time },
    P('confirmed'),
  ];
  if (token) items.push(P('your-token-is'), { token });
  items.push(P('sms-will-follow'));
  return items;
}
