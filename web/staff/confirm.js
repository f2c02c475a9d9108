// One confirm step for the reception pages (cancel a booking, close a date with bookings): a modal
// dialog whose buttons say what happens; Escape or the second button keeps things as they are.
import { $, $dialog } from '../lib/dom.js';

/**
 * @param {{ title: string, text: string, yes: string, no: string }} q
 * @returns {Promise<boolean>} true when the first (action) button was chosen
 */
export function confirmChoice(q) {
  const dialog = $dialog('confirm-dialog');
  $('confirm-title').textContent = q.title;
  $('confirm-text').textContent = q.text;
  $('confirm-yes').textContent = q.yes;
  $('confirm-no').textContent = q.no;
  const back = /** @type {HTMLElement | null} */ (document.activeElement);
  dialog.returnValue = '';
  return new Promise((resolve) => {
    dialog.addEventListener(
      'close',
      () => {
        resolve(dialog.returnValue === 'confirm');
        // Focus goes back where it was (the browser does it too; the element may be re-rendered).
        if (back?.isConnected) back.focus();
      },
      { once: true },
    );
    dialog.showModal();
  });
}
