// What a register/link/reset in progress carries between pages: the pending SMS code step and the
// "link your phone bookings" offer.

const PENDING_KEY = 'medq.pending';

/**
 * @typedef {{ path: string, body: Record<string, unknown>, phoneShown: string }} PendingRequest
 * @typedef {{ purpose: 'register' | 'link' | 'reset', verificationId: string, phone: string, expiresAt: number, request?: PendingRequest }} Pending
 * @typedef {{ name: string, age: number, phone_number: string, username: string, password: string }} RegisterDetails
 * @typedef {{ message: string, phone: string, details: RegisterDetails }} LinkOffer
 */

/** @type {Pending | null} */
let pending = (() => {
  try {
    return JSON.parse(sessionStorage.getItem(PENDING_KEY) ?? 'null');
  } catch {
    return null;
  }
})();

/** @type {LinkOffer | null} */
let linkOffer = null;

export const getPending = () => pending;
export const hasPending = () => pending !== null;

/** @param {Pending | null} p */
export function setPending(p) {
  pending = p;
  // The request (with the password) stays in memory only; a reload keeps just what is safe.
  if (p) {
    const { request: _request, ...safe } = p;
    sessionStorage.setItem(PENDING_KEY, JSON.stringify(safe));
  } else sessionStorage.removeItem(PENDING_KEY);
}

export const getLinkOffer = () => linkOffer;
export const hasLinkOffer = () => linkOffer !== null;
/** @param {LinkOffer | null} offer */
export function setLinkOffer(offer) {
  linkOffer = offer;
}
