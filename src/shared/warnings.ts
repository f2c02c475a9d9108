// Settings that start but give something up: said once at start, in words a clinic's IT can act on.
import type { Config } from '../config/index.js';

export interface StartupWarning {
  setting: string;
  message: string;
}

export function startupWarnings(config: Pick<Config, 'roles' | 'phoneVerification' | 'smppUrl' | 'retiredSettings'>): StartupWarning[] {
  // Settings no longer read, whatever the roles (src/config RETIRED_SETTINGS).
  const warnings: StartupWarning[] = [...config.retiredSettings];
  // Both concern what the api role does with phone numbers typed into a form.
  if (!config.roles.has('api')) return warnings;
  if (!config.phoneVerification) {
    warnings.push({
      setting: 'PHONE_VERIFICATION',
      message:
        'PHONE_VERIFICATION=off: no SMS code proves a typed phone number, so anyone who knows a patient\'s phone number can ' +
        'register or link it and see that phone\'s bookings until the patient claims the account; password resets and links ' +
        'by phone number alone are refused for staff and claimed accounts (403 verification_required; reset staff with ' +
        '`npm run staff:password`). Turn it on as soon as SMPP_URL works.',
    });
  } else if (config.smppUrl === null) {
    warnings.push({
      setting: 'SMPP_URL',
      message:
        'PHONE_VERIFICATION=on but SMPP_URL is empty: verification codes stay queued and are never sent, so web ' +
        'registration, linking and password reset can never finish (unless another process with the sms role has ' +
        'SMPP_URL). Set SMPP_URL, or PHONE_VERIFICATION=off for a clinic without SMS.',
    });
  }
  return warnings;
}
