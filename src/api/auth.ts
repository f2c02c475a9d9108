// Who may call what. Three levels:
//  - read:  any valid token, including a provisional IVR account that must still change its
//           temporary password (SPEC §3: "the token works for reading"): GET /api/me,
//           GET /api/me/appointments, and POST /api/me/password itself.
//  - write: booking and cancelling. Refused with 403 password_change_required until the temporary
//           password is replaced: the credentials arrived by SMS, so whoever saw that SMS could
//           otherwise act for the patient; the pages ask for the change first anyway.
//  - staff: /api/admin/*, staff role only (403 forbidden for patients), and also after any
//           required password change.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { accountById } from '../sync/index.js';
import { ApiError } from './errors.js';

export type Access = 'read' | 'write' | 'staff';

function bearer(request: FastifyRequest): string | null {
  const header = request.headers.authorization;
  if (typeof header !== 'string') return null;
  const m = /^Bearer\s+([A-Za-z0-9._~+/=-]+)\s*$/i.exec(header);
  return m ? m[1]! : null;
}

export function requireAccount(access: Access) {
  // Runs as an onRequest hook: a caller without a valid token is turned away before its body is read.
  return async function authenticate(request: FastifyRequest, _reply: FastifyReply): Promise<void> {
    const { ctx, tokens } = request.server.medq;
    const token = bearer(request);
    if (!token) throw new ApiError(401, 'unauthorized', 'Please log in: this needs an Authorization: Bearer token.');
    const checked = tokens.verify(token);
    if (!checked.ok) {
      throw new ApiError(
        401,
        'unauthorized',
        checked.reason === 'expired' ? 'Your session has expired. Please log in again.' : 'This token is not valid. Please log in again.',
      );
    }
    const account = accountById(ctx, checked.claims.accountId);
    // A token from before a password change (or claim) carries an older version: it is over.
    if (!account || account.tokenVersion !== checked.claims.version) {
      throw new ApiError(401, 'unauthorized', 'Your session has ended. Please log in again.');
    }
    if (access === 'staff' && account.role !== 'staff') {
      throw new ApiError(403, 'forbidden', 'Only clinic staff may do this.');
    }
    if (access !== 'read' && account.mustChangePassword) {
      throw new ApiError(403, 'password_change_required', 'Please change your temporary password first (POST /api/me/password).');
    }
    request.account = account;
  };
}
