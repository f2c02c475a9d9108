import { pino, type Logger } from 'pino';

export type { Logger };

// Paths that could ever carry a secret are censored, so no log line holds a password or code
// (nor a config object's secrets, should one ever be logged whole).
// (A booking's token number is not a secret; bearer tokens only travel in the authorization header.)
const REDACT = [
  'password',
  'new_password',
  'current_password',
  'passwordHash',
  'tempPassword',
  'code',
  'jwtSecret',
  'ariPassword',
  'smppUrl',
  '*.password',
  '*.new_password',
  '*.current_password',
  '*.passwordHash',
  '*.tempPassword',
  '*.code',
  '*.jwtSecret',
  '*.ariPassword',
  '*.smppUrl',
  'req.headers.authorization',
  'req.headers.cookie',
  'headers.authorization',
  '*.headers.authorization',
];

export function createLogger(level: string, name = 'medq'): Logger {
  return pino({ name, level, redact: { paths: REDACT, censor: '[redacted]' } });
}

/** A URL fit for a log line: a user name and password written into it are left out. */
export function logUrl(raw: string): string {
  try {
    const u = new URL(raw);
    if (!u.username && !u.password) return raw;
    u.username = '';
    u.password = '';
    return u.toString();
  } catch {
    return '[not a URL]';
  }
}
