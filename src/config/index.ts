// The only module that reads process.env. Everything else receives a typed Config.
import { isIP } from 'node:net';
import { LOCALE_AREAS, languagesWith } from '../shared/locales.js';
import { isSupportedCountry, type CountryCode } from 'libphonenumber-js/max';

export type Role = 'api' | 'ivr' | 'sms';
export const ALL_ROLES: readonly Role[] = ['api', 'ivr', 'sms'];

export interface Config {
  /** NODE_ENV; unset is read as "production". */
  nodeEnv: string;
  /** Production rules (secrets required, no development defaults): NODE_ENV is not development/test. */
  production: boolean;
  dbPath: string;
  roles: ReadonlySet<Role>;
  /** Settings of an earlier version that are set here but no longer read (RETIRED_SETTINGS), with why: warned about at start. */
  retiredSettings: ReadonlyArray<{ setting: string; message: string }>;
  httpHost: string;
  httpPort: number;
  /** Empty when this command does not use it and none is set (production rules). */
  jwtSecret: string;
  ariUrl: string;
  ariUsername: string;
  ariPassword: string;
  ariApp: string;
  smppUrl: string | null;
  smppSourceAddr: string;
  defaultRegion: CountryCode;
  phoneVerification: boolean;
  clinicBrand: string;
  menuTimeoutMs: number;
  receptionEndpoint: string | null;
  /** Asterisk's sounds folder as this process sees it (where `npm run prompts` writes en/medq/). */
  soundsDir: string;
  maxActiveAppointments: number;
  /** Fastify's trustProxy: false, a hop count, or the proxies' addresses/CIDRs; never "trust all". */
  trustProxy: false | number | string[];
  logLevel: string;
  /** MEDQ_DEMO_SEED: whether the container's start loads the demo data. */
  demoSeed: boolean;
  /** Clinic-wide budget of code (OTP) SMS per hour. */
  otpSmsPerHour: number;
  /** ISO country codes that code SMS may go to. */
  smsCountries: ReadonlySet<CountryCode>;
  /** Hours before an appointment its reminder goes out; 0 = no reminders. */
  reminderHours: number;
  /** A number patients can reply to (an MO-capable long code); null = replies cannot reach MedQ. */
  smsReplyNumber: string | null;
  /** IVR/SMS languages, the first the default. */
  languages: readonly string[];
  dltEntityId: string | null;
  /** Path of the DLT template file (kind → language → template id). */
  dltTemplates: string | null;
  dltTlvEntity: number;
  dltTlvTemplate: number;
  metricsPort: number | null;
  /** MEDQ_MIGRATE=on: apply pending migrations at start, under a lock. */
  migrateOnStart: boolean;
}

/** A bad setting: the message names the variable, and start-up prints it as one line. */
export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(`${variable}: ${message}`);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

/** The password in the sample asterisk-config/ari.conf: fine on a laptop, refused in production. */
export const SAMPLE_ARI_PASSWORD = 'medq-change-me';
const DEV_JWT_SECRET = 'medq-development-secret-not-for-production-use';
const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

function str(env: Env, name: string, fallback: string): string {
  const v = env[name];
  return v === undefined || v.trim() === '' ? fallback : v.trim();
}

function optional(env: Env, name: string): string | null {
  const v = env[name];
  return v === undefined || v.trim() === '' ? null : v.trim();
}

function int(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = optional(env, name);
  if (raw === null) return fallback;
  if (!/^\d+$/.test(raw)) throw new ConfigError(name, `must be a whole number, got "${raw}"`);
  const n = Number(raw);
  if (n < min || n > max) throw new ConfigError(name, `must be between ${min} and ${max}, got ${n}`);
  return n;
}

function bool(env: Env, name: string, fallback: boolean, on = 'on', off = 'off'): boolean {
  const raw = optional(env, name)?.toLowerCase();
  if (raw === undefined) return fallback;
  if ([on, 'true', '1', 'yes'].includes(raw)) return true;
  if ([off, 'false', '0', 'no'].includes(raw)) return false;
  throw new ConfigError(name, `must be "${on}" or "${off}", got "${raw}"`);
}

function url(env: Env, name: string, protocols: string[]): string | null {
  const raw = optional(env, name);
  if (raw === null) return null;
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    throw new ConfigError(name, `is not a valid URL`);
  }
  if (!protocols.includes(parsed.protocol)) {
    throw new ConfigError(name, `must start with ${protocols.map((p) => `${p}//`).join(' or ')}`);
  }
  return raw;
}

function hexOrInt(env: Env, name: string, fallback: number): number {
  const raw = optional(env, name);
  if (raw === null) return fallback;
  const n = /^0x[0-9a-f]+$/i.test(raw) ? parseInt(raw, 16) : /^\d+$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isInteger(n) || n < 0 || n > 0xffff) throw new ConfigError(name, `must be an SMPP tag such as 0x1400, got "${raw}"`);
  // SMPP 3.4 leaves 0x1400–0x3FFF to SMSC vendors; a standard tag would be misread (receipts, parts).
  if (n < 0x1400 || n > 0x3fff) throw new ConfigError(name, `must be a vendor-specific SMPP tag (0x1400 to 0x3FFF), got "${raw}"`);
  return n;
}

/**
 * TRUST_PROXY: "off", a hop count, or a comma list of proxy addresses/CIDRs. "on"/"true" would
 * believe any client's X-Forwarded-For (a forged address per request escapes every limit): refused.
 */
function trustProxy(env: Env): false | number | string[] {
  const raw = optional(env, 'TRUST_PROXY');
  if (raw === null || ['off', 'false', 'no', '0'].includes(raw.toLowerCase())) return false;
  if (/^\d+$/.test(raw)) return Number(raw);
  if (['on', 'true', 'yes', 'all', '*'].includes(raw.toLowerCase())) {
    throw new ConfigError('TRUST_PROXY', 'must be "off", a hop count (e.g. 1) or your proxies\' addresses, never "trust every client"');
  }
  const list = raw.split(',').map((s) => s.trim()).filter(Boolean);
  for (const a of list) {
    // Checked here as proxy-addr will at start, so a typo is one line naming the variable, not a crash.
    const [addr = '', prefix, ...rest] = a.split('/');
    const family = isIP(addr);
    const maxPrefix = family === 6 ? 128 : 32;
    const prefixOk = prefix === undefined || (/^\d{1,3}$/.test(prefix) && Number(prefix) <= maxPrefix);
    if (family === 0 || rest.length > 0 || !prefixOk) throw new ConfigError('TRUST_PROXY', `"${a}" is not an IP address or CIDR`);
  }
  return list;
}

/** A secret a command signs or connects with; each command checks only those it uses. */
export type Secret = 'jwt' | 'ari';

export interface LoadOptions {
  /**
   * The secrets this command uses, checked under production rules: `'roles'` (the default, what
   * `npm start` runs) derives them from MEDQ_ROLES (api → JWT_SECRET, ivr → ARI_PASSWORD); a CLI
   * names its own (`[]` for db:migrate, db:seed, prompts, staff:*). A secret a command does not use
   * is not checked; under production rules an unset one is then empty, never the development one.
   */
  needs?: readonly Secret[] | 'roles';
}

/** The secrets the roles use: api signs tokens with JWT_SECRET, ivr logs in to ARI. */
export function secretsForRoles(roles: ReadonlySet<Role>): Secret[] {
  const needs: Secret[] = [];
  if (roles.has('api')) needs.push('jwt');
  if (roles.has('ivr')) needs.push('ari');
  return needs;
}

/**
 * Settings an earlier version read and this one ignores, and why. A clinic's .env may still set
 * them: start-up says so (src/shared/warnings.ts) rather than leave IT thinking they still act.
 */
export const RETIRED_SETTINGS: Readonly<Record<string, string>> = {
  IVR_PASSWORD_STOCK:
    'IVR_PASSWORD_STOCK is no longer used and is ignored: a new caller\'s temporary password is now a keyed hash made ' +
    'at the booking in microseconds, so no stock of hashed passwords is kept (docs/security.md). Remove it from .env.',
};

/** NODE_ENV values that relax the secret rules; anything else, unset included, is production. */
export const RELAXED_NODE_ENVS: readonly string[] = ['development', 'test'];

export function loadConfig(env: Env = process.env, opts: LoadOptions = {}): Config {
  // Unset NODE_ENV means production rules: a forgotten variable must never fall back to a secret
  // published in this repository.
  const nodeEnv = str(env, 'NODE_ENV', 'production');
  const production = !RELAXED_NODE_ENVS.includes(nodeEnv);

  const rolesRaw = str(env, 'MEDQ_ROLES', ALL_ROLES.join(','));
  const roles = new Set<Role>();
  for (const r of rolesRaw.split(',').map((s) => s.trim()).filter(Boolean)) {
    if (!(ALL_ROLES as readonly string[]).includes(r)) {
      throw new ConfigError('MEDQ_ROLES', `unknown role "${r}" (use a comma list of ${ALL_ROLES.join(', ')})`);
    }
    roles.add(r as Role);
  }
  if (roles.size === 0) throw new ConfigError('MEDQ_ROLES', 'names no role');
  const needs = new Set<Secret>(opts.needs === undefined || opts.needs === 'roles' ? secretsForRoles(roles) : opts.needs);

  let jwtSecret = optional(env, 'JWT_SECRET');
  if (jwtSecret !== null) {
    if (jwtSecret.length < 32) throw new ConfigError('JWT_SECRET', 'must be at least 32 characters (e.g. `openssl rand -base64 48`)');
    if (production && jwtSecret === DEV_JWT_SECRET) {
      throw new ConfigError('JWT_SECRET', 'is the development secret published in the repository; set one of your own');
    }
  } else if (!production) {
    jwtSecret = DEV_JWT_SECRET;
  } else if (needs.has('jwt')) {
    throw new ConfigError(
      'JWT_SECRET',
      `is required (32+ random characters, e.g. \`openssl rand -base64 48\`) unless NODE_ENV is development or test (NODE_ENV is ${env['NODE_ENV']?.trim() ? `"${nodeEnv}"` : 'unset'})`,
    );
  } else {
    // Not used by this command: empty, so anything that tried to sign with it would fail.
    jwtSecret = '';
  }

  const region = str(env, 'DEFAULT_REGION', 'IN').toUpperCase();
  if (!isSupportedCountry(region)) throw new ConfigError('DEFAULT_REGION', `"${region}" is not a country code libphonenumber knows`);

  // Asterisk runs beside MedQ on the clinic's server: its HTTP server's usual place is the default.
  const ariUrl = url(env, 'ARI_URL', ['http:', 'https:']) ?? 'http://127.0.0.1:8088';
  // Development matches the sample asterisk-config/ari.conf; production must replace both.
  const ariPassword = str(env, 'ARI_PASSWORD', production ? '' : SAMPLE_ARI_PASSWORD);
  if (production && needs.has('ari')) {
    const why = roles.has('ivr') ? 'when the ivr role runs' : 'for this command';
    if (ariPassword === '') throw new ConfigError('ARI_PASSWORD', `is required ${why} unless NODE_ENV is development or test; also set it in ari.conf`);
    if (ariPassword === SAMPLE_ARI_PASSWORD || ariPassword.length < 12) {
      throw new ConfigError('ARI_PASSWORD', 'must be a password of your own (12+ characters) in production, also set in ari.conf');
    }
  }

  const logLevel = str(env, 'LOG_LEVEL', 'info').toLowerCase();
  if (!LOG_LEVELS.includes(logLevel)) throw new ConfigError('LOG_LEVEL', `must be one of ${LOG_LEVELS.join(', ')}`);

  const sourceAddr = str(env, 'SMPP_SOURCE_ADDR', 'MEDQ');
  if (sourceAddr.length > 20) throw new ConfigError('SMPP_SOURCE_ADDR', 'must be at most 20 characters');

  const httpPort = int(env, 'HTTP_PORT', 3000, 0, 65535);

  const smsCountries = new Set<CountryCode>();
  for (const c of str(env, 'SMS_COUNTRIES', region).split(',').map((s) => s.trim().toUpperCase()).filter(Boolean)) {
    if (!isSupportedCountry(c)) throw new ConfigError('SMS_COUNTRIES', `"${c}" is not a country code libphonenumber knows`);
    smsCountries.add(c);
  }

  const languages = str(env, 'LANGUAGES', 'en').split(',').map((s) => s.trim().toLowerCase()).filter(Boolean);
  for (const l of languages) {
    if (!/^[a-z]{2,3}$/.test(l)) throw new ConfigError('LANGUAGES', `"${l}" is not a language code such as en or hi`);
  }
  if (languages.length === 0) throw new ConfigError('LANGUAGES', 'names no language');
  if (new Set(languages).size !== languages.length) throw new ConfigError('LANGUAGES', 'names a language twice');
  // A language is its texts (src/locales/<lang>/): one offered without them would be silence on
  // the phone, a blank page or an SMS in the wrong language. Each role checks its texts are complete.
  for (const area of LOCALE_AREAS) {
    const have = languagesWith(area);
    const missing = languages.filter((l) => !have.includes(l));
    if (missing.length) {
      throw new ConfigError('LANGUAGES', `"${missing[0]}" has no ${area} texts (src/locales/${missing[0]}/${area}.json); languages with every text: ${LOCALE_AREAS.reduce((acc, a) => acc.filter((l) => languagesWith(a).includes(l)), have).join(', ')}`);
    }
  }

  const metricsPortRaw = optional(env, 'METRICS_PORT');
  const dltTlvEntity = hexOrInt(env, 'DLT_TLV_ENTITY', 0x1400);
  const dltTlvTemplate = hexOrInt(env, 'DLT_TLV_TEMPLATE', 0x1401);
  if (dltTlvEntity === dltTlvTemplate) throw new ConfigError('DLT_TLV_TEMPLATE', 'must differ from DLT_TLV_ENTITY');

  return {
    nodeEnv,
    production,
    dbPath: str(env, 'MEDQ_DB', './data/medq.sqlite'),
    roles,
    retiredSettings: Object.entries(RETIRED_SETTINGS)
      .filter(([setting]) => (env[setting] ?? '') !== '')
      .map(([setting, message]) => ({ setting, message })),
    httpHost: str(env, 'HTTP_HOST', '127.0.0.1'),
    httpPort,
    jwtSecret,
    ariUrl,
    ariUsername: str(env, 'ARI_USERNAME', 'medq'),
    ariPassword,
    ariApp: str(env, 'ARI_APP', 'medq'),
    smppUrl: url(env, 'SMPP_URL', ['smpp:', 'ssmpp:']),
    smppSourceAddr: sourceAddr,
    defaultRegion: region,
    phoneVerification: bool(env, 'PHONE_VERIFICATION', true),
    clinicBrand: str(env, 'CLINIC_BRAND', 'MedQ'),
    menuTimeoutMs: int(env, 'MENU_TIMEOUT_MS', 5000, 200, 120000),
    receptionEndpoint: optional(env, 'RECEPTION_ENDPOINT'),
    soundsDir: str(env, 'ASTERISK_SOUNDS_DIR', '/usr/share/asterisk/sounds'),
    maxActiveAppointments: int(env, 'MAX_ACTIVE_APPOINTMENTS', 3, 1, 100),
    trustProxy: trustProxy(env),
    logLevel,
    demoSeed: bool(env, 'MEDQ_DEMO_SEED', false),
    otpSmsPerHour: int(env, 'OTP_SMS_PER_HOUR', 100, 0, 1_000_000),
    smsCountries,
    reminderHours: int(env, 'REMINDER_HOURS', 24, 0, 24 * 14),
    smsReplyNumber: optional(env, 'SMS_REPLY_NUMBER'),
    languages,
    dltEntityId: optional(env, 'DLT_ENTITY_ID'),
    dltTemplates: optional(env, 'DLT_TEMPLATES'),
    dltTlvEntity,
    dltTlvTemplate,
    metricsPort: metricsPortRaw === null ? null : int(env, 'METRICS_PORT', 0, 1, 65535),
    migrateOnStart: bool(env, 'MEDQ_MIGRATE', false),
  };
}
