CREATE TABLE `job_leases` (
	`name` text PRIMARY KEY NOT NULL,
	`owner` text NOT NULL,
	`leased_until` integer NOT NULL,
	`last_run_at` integer
);
--> statement-breakpoint
CREATE TABLE `queue_state` (
	`doctor_id` integer NOT NULL,
	`date` text NOT NULL,
	`now_serving` text,
	`appointment_id` integer,
	`updated_at` integer NOT NULL,
	PRIMARY KEY(`doctor_id`, `date`),
	FOREIGN KEY (`doctor_id`) REFERENCES `doctors`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `queue_state_updated_idx` ON `queue_state` (`updated_at`);--> statement-breakpoint
CREATE TABLE `sms_inbound` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`phone` text NOT NULL,
	`text_hash` text NOT NULL,
	`command` text NOT NULL,
	`outcome` text NOT NULL,
	`appointment_id` integer,
	`received_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `sms_inbound_phone_idx` ON `sms_inbound` (`phone`,`received_at`);--> statement-breakpoint
CREATE TABLE `sms_opt_outs` (
	`phone` text PRIMARY KEY NOT NULL,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')) NOT NULL
);
--> statement-breakpoint
DROP INDEX `appointments_person_doctor_day_uq`;--> statement-breakpoint
ALTER TABLE `appointments` ADD `arrived_at` text;--> statement-breakpoint
ALTER TABLE `appointments` ADD `called_at` text;--> statement-breakpoint
CREATE INDEX `appointments_date_idx` ON `appointments` (`date`,`slot_time`);--> statement-breakpoint
CREATE UNIQUE INDEX `appointments_person_doctor_day_uq` ON `appointments` (`doctor_id`,`date`,`person_phone`) WHERE status in ('booked', 'arrived');--> statement-breakpoint
ALTER TABLE `accounts` ADD `language` text;--> statement-breakpoint
ALTER TABLE `clinics` ADD `public_phone` text;--> statement-breakpoint
ALTER TABLE `sms_outbox` ADD `dedupe_key` text;--> statement-breakpoint
CREATE UNIQUE INDEX `sms_outbox_dedupe_uq` ON `sms_outbox` (`dedupe_key`);--> statement-breakpoint
CREATE INDEX `sms_outbox_appointment_idx` ON `sms_outbox` (`appointment_id`);--> statement-breakpoint
UPDATE `appointments` SET `channel` = 'desk' WHERE `channel` = 'staff';
