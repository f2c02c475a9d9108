// MedQ reception pages (/staff): staff log in, today's list per doctor with the token queue, book
// for a caller, schedules and closed dates. Plain ES modules, no build step, type-checked with
// tsconfig.web.json. Each module wires its own view; this file starts the frame.
import './login.js';
import './today.js';
import './book.js';
import './schedules.js';
import { $form } from '../lib/dom.js';
import { clearFieldErrorsOnEdit } from '../lib/forms.js';
import { startShell } from './shell.js';

for (const id of ['login-form', 'desk-book-form', 'schedule-form', 'closed-form']) clearFieldErrorsOnEdit($form(id));
startShell();
