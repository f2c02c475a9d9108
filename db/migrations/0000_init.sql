CREATE TABLE `accounts` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`phone` text NOT NULL,
	`username` text NOT NULL,
	`password_hash` text NOT NULL,
	`display_name` text NOT NULL,
	`role` text DEFAULT 'patient' NOT NULL,
	`status` text NOT NULL,
	`must_change_password` integer DEFAULT false NOT NULL,
	`token_version` integer DEFAULT 0 NOT NULL,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')) NOT NULL,
	`updated_at` text
);
--> statement-breakpoint
CREATE UNIQUE INDEX `accounts_phone_uq` ON `accounts` (`phone`);--> statement-breakpoint
CREATE UNIQUE INDEX `accounts_username_uq` ON `accounts` (`username`);--> statement-breakpoint
CREATE TABLE `appointments` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`patient_id` integer NOT NULL,
	`doctor_id` integer NOT NULL,
	`date` text NOT NULL,
	`slot_time` text NOT NULL,
	`seat` integer NOT NULL,
	`token_number` text NOT NULL,
	`person_phone` text NOT NULL,
	`status` text DEFAULT 'booked' NOT NULL,
	`channel` text NOT NULL,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')) NOT NULL,
	`cancelled_at` text,
	FOREIGN KEY (`patient_id`) REFERENCES `patients`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`doctor_id`) REFERENCES `doctors`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `appointments_seat_uq` ON `appointments` (`doctor_id`,`date`,`slot_time`,`seat`) WHERE status <> 'cancelled';--> statement-breakpoint
CREATE UNIQUE INDEX `appointments_token_uq` ON `appointments` (`doctor_id`,`date`,`token_number`) WHERE status <> 'cancelled';--> statement-breakpoint
CREATE UNIQUE INDEX `appointments_person_doctor_day_uq` ON `appointments` (`doctor_id`,`date`,`person_phone`) WHERE status = 'booked';--> statement-breakpoint
CREATE INDEX `appointments_patient_idx` ON `appointments` (`patient_id`,`date`);--> statement-breakpoint
CREATE INDEX `appointments_doctor_day_idx` ON `appointments` (`doctor_id`,`date`);--> statement-breakpoint
CREATE TABLE `clinics` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`name` text NOT NULL,
	`did` text DEFAULT '' NOT NULL,
	`timezone` text DEFAULT 'Asia/Kolkata' NOT NULL,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')) NOT NULL
);
--> statement-breakpoint
CREATE TABLE `closed_dates` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`clinic_id` integer NOT NULL,
	`doctor_id` integer,
	`date` text NOT NULL,
	`reason` text DEFAULT '' NOT NULL,
	FOREIGN KEY (`clinic_id`) REFERENCES `clinics`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`doctor_id`) REFERENCES `doctors`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `closed_dates_clinic_date_idx` ON `closed_dates` (`clinic_id`,`date`);--> statement-breakpoint
CREATE TABLE `doctors` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`clinic_id` integer NOT NULL,
	`name` text NOT NULL,
	`specialty` text DEFAULT '' NOT NULL,
	`display_order` integer DEFAULT 0 NOT NULL,
	`active` integer DEFAULT true NOT NULL,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')) NOT NULL,
	FOREIGN KEY (`clinic_id`) REFERENCES `clinics`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `doctors_clinic_idx` ON `doctors` (`clinic_id`,`display_order`);--> statement-breakpoint
CREATE TABLE `patients` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`name` text NOT NULL,
	`age` integer,
	`phone` text NOT NULL,
	`account_id` integer,
	`source` text NOT NULL,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')) NOT NULL,
	FOREIGN KEY (`account_id`) REFERENCES `accounts`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `patients_phone_idx` ON `patients` (`phone`);--> statement-breakpoint
CREATE INDEX `patients_account_idx` ON `patients` (`account_id`);--> statement-breakpoint
CREATE TABLE `rate_events` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`bucket` text NOT NULL,
	`at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `rate_events_bucket_idx` ON `rate_events` (`bucket`,`at`);--> statement-breakpoint
CREATE TABLE `schedules` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`doctor_id` integer NOT NULL,
	`weekday` integer NOT NULL,
	`start_time` text NOT NULL,
	`end_time` text NOT NULL,
	`slot_minutes` integer NOT NULL,
	`capacity` integer DEFAULT 1 NOT NULL,
	FOREIGN KEY (`doctor_id`) REFERENCES `doctors`(`id`) ON UPDATE no action ON DELETE cascade,
	CONSTRAINT "schedules_weekday_check" CHECK("schedules"."weekday" BETWEEN 1 AND 7),
	CONSTRAINT "schedules_capacity_check" CHECK("schedules"."capacity" >= 1),
	CONSTRAINT "schedules_slot_check" CHECK("schedules"."slot_minutes" >= 5)
);
--> statement-breakpoint
CREATE INDEX `schedules_doctor_idx` ON `schedules` (`doctor_id`,`weekday`);--> statement-breakpoint
CREATE TABLE `slot_holds` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`doctor_id` integer NOT NULL,
	`date` text NOT NULL,
	`slot_time` text NOT NULL,
	`holder` text NOT NULL,
	`expires_at` integer NOT NULL,
	FOREIGN KEY (`doctor_id`) REFERENCES `doctors`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `slot_holds_slot_idx` ON `slot_holds` (`doctor_id`,`date`,`slot_time`);--> statement-breakpoint
CREATE INDEX `slot_holds_holder_idx` ON `slot_holds` (`holder`);--> statement-breakpoint
CREATE TABLE `sms_outbox` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`kind` text NOT NULL,
	`phone` text NOT NULL,
	`body` text NOT NULL,
	`state` text DEFAULT 'queued' NOT NULL,
	`attempts` integer DEFAULT 0 NOT NULL,
	`next_attempt_at` integer DEFAULT 0 NOT NULL,
	`expires_at` integer,
	`claimed_by` text,
	`claimed_at` integer,
	`message_ids` text,
	`last_error` text,
	`appointment_id` integer,
	`verification_id` text,
	`created_at` integer NOT NULL,
	`sent_at` integer,
	`delivered_at` integer
);
--> statement-breakpoint
CREATE INDEX `sms_outbox_due_idx` ON `sms_outbox` (`state`,`next_attempt_at`);--> statement-breakpoint
CREATE INDEX `sms_outbox_phone_kind_idx` ON `sms_outbox` (`phone`,`kind`,`created_at`);--> statement-breakpoint
CREATE TABLE `sms_parts` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`outbox_id` integer NOT NULL,
	`part_no` integer NOT NULL,
	`message_id` text NOT NULL,
	`state` text DEFAULT 'sent' NOT NULL,
	FOREIGN KEY (`outbox_id`) REFERENCES `sms_outbox`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `sms_parts_message_id_idx` ON `sms_parts` (`message_id`);--> statement-breakpoint
CREATE INDEX `sms_parts_outbox_idx` ON `sms_parts` (`outbox_id`);--> statement-breakpoint
CREATE TABLE `verifications` (
	`id` text PRIMARY KEY NOT NULL,
	`phone` text NOT NULL,
	`purpose` text NOT NULL,
	`payload` text NOT NULL,
	`code_hash` text NOT NULL,
	`expires_at` integer NOT NULL,
	`attempts_left` integer NOT NULL,
	`status` text DEFAULT 'pending' NOT NULL,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')) NOT NULL
);
--> statement-breakpoint
CREATE INDEX `verifications_phone_idx` ON `verifications` (`phone`);