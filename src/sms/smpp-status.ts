// SMPP command_status names and what the worker does about each one (the Jasmin shape: a table
// keyed by status, not a chain of ifs).
import smpp from 'smpp';

const NAMES: ReadonlyMap<number, string> = new Map(Object.entries(smpp.errors).map(([name, code]) => [code, name]));

export const ESME_ROK = 0x0000;
export const ESME_RINVBNDSTS = 0x0004;
export const ESME_RSYSERR = 0x0008;
export const ESME_RMSGQFUL = 0x0014;
export const ESME_RSUBMITFAIL = 0x0045;
export const ESME_RTHROTTLED = 0x0058;
export const ESME_RX_T_APPN = 0x0064;

/** `ESME_RTHROTTLED`, or `status 0x00000400` for a vendor code node-smpp does not name. */
export function statusName(status: number): string {
  return NAMES.get(status) ?? `status 0x${status.toString(16).padStart(8, '0')}`;
}

/** `ESME_RTHROTTLED (0x00000058)`: the form used in logs and last_error. */
export function statusLabel(status: number): string {
  const name = NAMES.get(status);
  const hex = `0x${status.toString(16).padStart(8, '0')}`;
  return name ? `${name} (${hex})` : `status ${hex}`;
}

export type StatusRule =
  /** Transient: try again after the back-off × delayFactor, counting an attempt. */
  | { action: 'retry'; delayFactor: number; maxAttempts?: number }
  /** The SMSC thinks we are not bound: drop the link, requeue without counting an attempt. */
  | { action: 'rebind' }
  /** Permanent: the message is failed with the status name in last_error. */
  | { action: 'fail' };

/** Statuses not listed here are permanent (invalid address, message too long, prohibited…). */
export const STATUS_RULES: ReadonlyMap<number, StatusRule> = new Map<number, StatusRule>([
  [ESME_RTHROTTLED, { action: 'retry', delayFactor: 1 }],
  [ESME_RMSGQFUL, { action: 'retry', delayFactor: 2 }],
  [ESME_RSYSERR, { action: 'retry', delayFactor: 1 }],
  [ESME_RX_T_APPN, { action: 'retry', delayFactor: 1 }],
  // "submit failed" is often a routing hiccup, but an SMSC that always says it must not loop forever.
  [ESME_RSUBMITFAIL, { action: 'retry', delayFactor: 1, maxAttempts: 3 }],
  [ESME_RINVBNDSTS, { action: 'rebind' }],
]);

export function ruleFor(status: number): StatusRule {
  return STATUS_RULES.get(status) ?? { action: 'fail' };
}
