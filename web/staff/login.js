// Staff log in (POST /api/auth/login; only role staff may use these pages) and log out.
import { $, $form, $input } from '../lib/dom.js';
import { request } from '../lib/api.js';
import { busy, clearErrors, showFormAlert, validate, values } from '../lib/forms.js';
import { flash, go, registerView, saveStaffSession } from './shell.js';

registerView('login', () => clearErrors($form('login-form')));

$form('login-form').addEventListener('submit', (e) => {
  e.preventDefault();
  const form = $form('login-form');
  if (!validate(form)) return;
  const { username = '', password = '' } = values(form);
  busy(form, async () => {
    const r = await request('POST', '/api/auth/login', { username: username.trim().toLowerCase(), password });
    if (!r.ok) {
      showFormAlert(form, r.data.message);
      $input('login-password').select();
      return;
    }
    if (r.data?.user?.role !== 'staff') {
      showFormAlert(form, 'This is a patient account. The reception pages are for clinic staff; patients use the patient pages.');
      return;
    }
    form.reset();
    saveStaffSession({ token: r.data.token, name: r.data.user.name ?? '', username: r.data.user.username ?? '' });
    go('today');
  });
});

$('staff-logout').addEventListener('click', () => {
  saveStaffSession(null);
  flash('You have logged out.', 'info');
  go('login');
});
