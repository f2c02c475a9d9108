import { pino, type DestinationStream, type Logger } from 'pino';

export type { Logger };

// Fields that could ever carry a secret are censored, so no log line holds a password or code
// (nor a config object's secrets, should one ever be logged whole): at the top of a log object or
// its child bindings, one level down (`{ body: { password } }`), and credentials in any `headers`
// there. A booking's token number is not a secret; bearer tokens only travel in the authorization
// header.
//
// Done here rather than with pino's `redact` option: its paths with a wildcard (`*.password`) ran a
// clone and a second JSON.stringify of every value of every line (pino 10's @pinojs/redact), a
// measurable share of the ivr process's CPU per call (issue 10). This looks at the keys and copies
// an object only when it holds a secret. Only plain objects are looked into: an Error passes whole
// (its `code` is an errno such as SQLITE_BUSY, never a one-time code).
const CENSOR = '[redacted]';
const SECRET_FIELDS: ReadonlySet<string> = new Set([
  'password',
  'new_password',
  'current_password',
  'passwordHash',
  'tempPassword',
  'code',
  'jwtSecret',
  'ariPassword',
  'smppUrl',
]);
const SECRET_HEADERS: ReadonlySet<string> = new Set(['authorization', 'cookie']);

function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return false;
  const proto: unknown = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/** `obj` with the values of `secret` keys (and headers' credentials) censored; `obj` itself when it has none. */
function censored(obj: Record<string, unknown>, secret: ReadonlySet<string>, deeper: ((key: string, value: unknown) => unknown) | null): Record<string, unknown> {
  let out: Record<string, unknown> | undefined;
  for (const key in obj) {
    if (!Object.hasOwn(obj, key)) continue;
    const value = obj[key];
    const safe = secret.has(key) ? CENSOR : deeper ? deeper(key, value) : value;
    if (safe !== value) {
      out ??= { ...obj };
      out[key] = safe;
    }
  }
  return out ?? obj;
}

const headersCensored = (key: string, value: unknown): unknown => (key === 'headers' && isPlainObject(value) ? censored(value, SECRET_HEADERS, null) : value);
const nestedCensored = (key: string, value: unknown): unknown =>
  key === 'headers' ? headersCensored(key, value) : isPlainObject(value) ? censored(value, SECRET_FIELDS, headersCensored) : value;

/** A log object (or a child logger's bindings) fit for the log: see above. */
export function redactSecrets<T extends object>(obj: T): T {
  return censored(obj as Record<string, unknown>, SECRET_FIELDS, nestedCensored) as T;
}

/**
 * A logger to `destination`, or to stdout written synchronously: a line is in the log before the
 * call returns, so a crash (kill -9 included) loses none written before it, and a line costs one
 * write on the event loop (~40 µs of CPU here) instead of a hand-off to libuv's thread pool and
 * back (~75 µs, mostly the threads' wake-ups; issue 10).
 */
export function createLogger(level: string, name = 'medq', destination?: DestinationStream): Logger {
  const options = { name, level, formatters: { log: redactSecrets } };
  const logger = pino(options, destination ?? pino.destination({ dest: 1, sync: true }));
  // pino applies a bindings formatter to the root's base only; every child (and a child's child,
  // which inherits this property) has its bindings censored here.
  const child = logger.child;
  logger.child = function (this: Logger, bindings: Record<string, unknown>, opts?: object) {
    return child.call(this, redactSecrets(bindings), opts);
  } as Logger['child'];
  return logger;
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
