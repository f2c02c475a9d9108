// The waiting-room screen (/display/:clinicId, no login): the token now served per doctor, in type
// big enough to read across a room, live from the queue's Server-Sent Events. Tokens and doctor
// names only: the queue API carries nothing else.
import { request } from './lib/api.js';
import { $, el, show } from './lib/dom.js';
import { DEFAULT_TZ } from './lib/dates.js';
import { watchQueue } from './lib/queue.js';

const clinicId = Number(/^\/display\/(\d+)\/?$/.exec(location.pathname)?.[1] ?? NaN);
/** @type {Map<number, string | null>} */
const shownTokens = new Map();
let timezone = DEFAULT_TZ;

/** @param {string} text */
function showEmpty(text) {
  $('display-empty').textContent = text;
  show($('display-empty'), true);
}

function tickClock() {
  $('display-clock').textContent = new Intl.DateTimeFormat('en-GB', {
    timeZone: timezone,
    weekday: 'short',
    day: 'numeric',
    month: 'short',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).format(new Date());
}

/** @param {import('./lib/queue.js').QueueState} state */
function render(state) {
  const board = $('display-board');
  show($('display-empty'), state.doctors.length === 0);
  if (state.doctors.length === 0) showEmpty('No doctors are seeing patients today.');
  board.dataset['count'] = String(state.doctors.length);
  const cards = state.doctors.map((d) => {
    const changed = shownTokens.has(d.doctor_id) && shownTokens.get(d.doctor_id) !== d.now_serving;
    shownTokens.set(d.doctor_id, d.now_serving);
    return el(
      'section',
      { class: `board-card${changed ? ' board-changed' : ''}`, 'data-doctor-id': d.doctor_id },
      el('h2', { class: 'board-doctor', text: d.name }),
      el('p', { class: 'board-label', text: d.now_serving ? 'Now serving' : 'Not started yet' }),
      el('p', { class: 'board-token', 'data-token': d.now_serving ?? '', text: d.now_serving ?? '–' }),
    );
  });
  board.replaceChildren(...cards);
}

async function start() {
  if (!Number.isInteger(clinicId) || clinicId < 1) {
    showEmpty('This screen needs a clinic number in its address, like /display/1.');
    return;
  }
  const clinics = await request('GET', '/api/clinics');
  /** @type {Array<{ id: number, name: string, timezone?: string }>} */
  const list = clinics.ok ? (clinics.data?.clinics ?? []) : [];
  const clinic = list.find((c) => c.id === clinicId);
  if (clinics.ok && !clinic) {
    // A wrong address would otherwise sit on "Reconnecting…" forever.
    showEmpty(`There is no clinic ${clinicId}. Check the screen's address.`);
    return;
  }
  if (clinic) {
    $('display-clinic').textContent = clinic.name;
    document.title = `Now serving · ${clinic.name}`;
    timezone = clinic.timezone ?? DEFAULT_TZ;
  }
  tickClock();
  setInterval(tickClock, 15_000);
  watchQueue(clinicId, {
    onState: render,
    onLink: (link) => {
      show($('display-status'), link === 'reconnecting');
      document.body.classList.toggle('is-reconnecting', link === 'reconnecting');
    },
  });
}

start();
