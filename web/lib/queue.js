// The live token queue of a clinic (SPEC §11): the state from GET /api/clinics/:id/queue, then
// every change from the Server-Sent Events stream /api/clinics/:id/queue/events (event `queue`,
// data = the same JSON), whichever api process made it.
import { request } from './api.js';

/**
 * @typedef {{ doctor_id: number, name: string, now_serving: string | null }} QueueDoctor
 * @typedef {{ clinic_id: number, date: string, doctors: QueueDoctor[] }} QueueState
 * @typedef {'live' | 'reconnecting'} LinkState
 */

/** How long to wait before opening a stream again that the browser gave up on. */
const REOPEN_MS = 2000;

/**
 * @param {number} clinicId
 * @returns {Promise<import('./api.js').ApiResult>}
 */
export function fetchQueue(clinicId) {
  return request('GET', `/api/clinics/${encodeURIComponent(clinicId)}/queue`);
}

/**
 * Follows a clinic's queue until the returned function is called. `onState` gets every state
 * (the first one from the plain GET, so the page shows something even before the stream is up);
 * `onLink` says whether the stream is live or being reconnected.
 * @param {number} clinicId
 * @param {{ onState: (s: QueueState) => void, onLink?: (l: LinkState) => void }} handlers
 * @returns {() => void}
 */
export function watchQueue(clinicId, { onState, onLink = () => {} }) {
  /** @type {EventSource | null} */
  let source = null;
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  let timer;
  let stopped = false;

  fetchQueue(clinicId).then((r) => {
    if (!stopped && r.ok && r.data) onState(r.data);
  });

  function open() {
    if (stopped) return;
    const es = new EventSource(`/api/clinics/${encodeURIComponent(clinicId)}/queue/events`);
    source = es;
    es.addEventListener('open', () => onLink('live'));
    es.addEventListener('queue', (e) => {
      try {
        onState(JSON.parse(/** @type {MessageEvent<string>} */ (e).data));
        onLink('live');
      } catch {
        // A malformed event is skipped; the next one carries the whole state again.
      }
    });
    es.addEventListener('error', () => {
      onLink('reconnecting');
      // After a dropped connection EventSource reconnects by itself (readyState CONNECTING). After
      // an HTTP error (a proxy's 502 while the server restarts) it gives up: open a new one.
      if (es.readyState === EventSource.CLOSED) {
        clearTimeout(timer);
        timer = setTimeout(open, REOPEN_MS);
      }
    });
  }
  open();

  return () => {
    stopped = true;
    clearTimeout(timer);
    source?.close();
  };
}
