import { pino, type Logger } from 'pino';

export type { Logger };

// Paths that could ever carry a secret are censored, so no log line holds a password or code.
const REDACT = [
  'password',
  'new_password',
  'current_password',
  'code',
  'token',
  '*.password',
  '*.new_password',
  '*.current_password',
  '*.code',
  '*.token',
  'req.headers.authorization',
];

export function createLogger(level: string, name = 'medq'): Logger {
  return pino({ name, level, redact: { paths: REDACT, censor: '[redacted]' } });
}
