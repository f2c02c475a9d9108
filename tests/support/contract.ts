// Names SPEC fixes, written once for the tests that check them.

/** SPEC §12: the metrics /metrics must serve at least. */
export const CONTRACT_METRICS = [
  'medq_calls_active',
  'medq_calls_total',
  'medq_key_to_prompt_seconds',
  'medq_bookings_total',
  'medq_cancellations_total',
  'medq_sms_total',
  'medq_outbox_depth',
  'medq_outbox_oldest_seconds',
  'medq_smpp_submit_seconds',
  'medq_ari_up',
  'medq_smpp_up',
  'medq_reconnects_total',
  'medq_otp_sms_budget_remaining',
  'http_request_duration_seconds',
] as const;
