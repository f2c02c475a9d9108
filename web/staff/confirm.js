// One confirm step for the reception pages (cancel a booking, close a date with bookings): a modal
// dialog whose buttons say what happens; Escape or the second button keeps things as they are.
import { $, $dialog } from '../lib/dom.js';

/** Settles the last use of the dialog if its close event has not arrived yet. */
let settleLast = /** @type {(() => void) | null} */ (null);

/**
 * @param {{ title: string, text: string, yes: string, no: string }} q
 * @returns {Promise<boolean>} true when the first (action) button was chosen
 */
export function confirmChoice(q) {
  const dialog = $dialog('confirm-dialog');
  // The close event is queued, so a dialog opened again at once (a quick Escape, then Enter on the
  // same button) can still have the last use's event on its way: that use is settled here, with
  // the choice it was closed with, and the late event then finds the dialog open and is ignored.
  settleLast?.();
  $('confirm-title').textContent = q.title;
  $('confirm-text').textContent = q.text;
  $('confirm-yes').textContent = q.yes;
  $('confirm-no').textContent = q.no;
  const back = /** @type {HTMLElement | null} */ (document.activeElement);
  dialog.returnValue = '';
  return new Promise((resolve) => {
    const settle = () => {
      dialog.removeEventListener('close', onClose);
      settleLast = null;
      resolve(dialog.returnValue === 'confirm');
    };
    const onClose = () => {
      if (dialog.open) return;
      settle();
      // Focus goes back where it was (the browser does it too; the element may be re-rendered).
      if (back?.isConnected) back.focus();
    };
    settleLast = settle;
    dialog.addEventListener('close', onClose);
    dialog.showModal();
  });
}
