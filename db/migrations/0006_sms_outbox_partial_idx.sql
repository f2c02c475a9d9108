DROP INDEX `sms_outbox_phone_kind_idx`;--> statement-breakpoint
DROP INDEX `sms_outbox_dedupe_uq`;--> statement-breakpoint
CREATE INDEX `sms_outbox_phone_kind_idx` ON `sms_outbox` (`phone`,`kind`,`created_at`) WHERE kind in ('otp', 'help', 'reminder');--> statement-breakpoint
CREATE UNIQUE INDEX `sms_outbox_dedupe_uq` ON `sms_outbox` (`dedupe_key`) WHERE dedupe_key is not null;