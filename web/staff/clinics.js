// The clinics and doctors the reception works with (GET /api/admin/clinics), and which clinic this
// desk looks at (kept for the tab).
import { staffApi } from './shell.js';

/**
 * @typedef {{ id: number, clinic_id: number, name: string, specialty: string, display_order: number, active: boolean }} StaffDoctor
 * @typedef {{ id: number, name: string, did: string, timezone: string, doctors: StaffDoctor[] }} StaffClinic
 */

const CLINIC_KEY = 'medq.staff.clinic';

/** @type {StaffClinic[]} */
let clinics = [];

/** @returns {Promise<{ ok: true, clinics: StaffClinic[] } | { ok: false, message: string }>} */
export async function loadClinics() {
  const r = await staffApi('GET', '/api/admin/clinics');
  if (!r.ok) return { ok: false, message: r.data.message };
  clinics = r.data?.clinics ?? [];
  for (const c of clinics) c.doctors.sort((a, b) => a.display_order - b.display_order || a.name.localeCompare(b.name));
  return { ok: true, clinics };
}

export function currentClinic() {
  const id = Number(sessionStorage.getItem(CLINIC_KEY));
  return clinics.find((c) => c.id === id) ?? clinics[0] ?? null;
}

/** @param {number} id */
export function chooseClinic(id) {
  sessionStorage.setItem(CLINIC_KEY, String(id));
}

/**
 * Fills a clinic <select> (hidden when there is only one clinic).
 * @param {HTMLSelectElement} select
 * @param {HTMLElement} field
 */
export function fillClinicSelect(select, field) {
  const chosen = currentClinic();
  select.replaceChildren(...clinics.map((c) => new Option(c.name, String(c.id), false, c.id === chosen?.id)));
  field.hidden = clinics.length < 2;
}
