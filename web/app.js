// MedQ patient pages: register (with SMS verification and phone-booking linking), log in,
// forced password change, password reset, my appointments, book and cancel.
// Plain ES modules, no build step (type-checked by tsc with checkJs: tsconfig.web.json). Every
// request goes to this server's /api, nothing else is fetched. Each view module wires its own page
// and registers what to do when it is shown; this file loads the page strings of the language to
// show (patient/language.js), then starts the router.
import { $, show } from './lib/dom.js';
import { enableRevealBoxes } from './lib/forms.js';
import './patient/login.js';
import './patient/change-password.js';
import './patient/register.js';
import './patient/verify.js';
import './patient/appointments.js';
import './patient/book.js';
import './patient/account.js';
import { startLanguage } from './patient/language.js';
import { renderNav, route, startRouter } from './patient/router.js';

enableRevealBoxes();
const ready = await startLanguage(() => {
  // A new language: redraw the page shown, keeping the user where they are (on the switch).
  renderNav();
  route({ keepFocus: true });
});
if (ready) {
  document.documentElement.classList.remove('i18n-loading');
  startRouter();
} else {
  show($('texts-failed'), true);
}
