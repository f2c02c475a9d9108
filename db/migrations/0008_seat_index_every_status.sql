DROP INDEX `appointments_doctor_day_idx`;--> statement-breakpoint
DROP INDEX `appointments_seat_uq`;--> statement-breakpoint
CREATE UNIQUE INDEX `appointments_seat_uq` ON `appointments` (`doctor_id`,`date`,`slot_time`,`seat`,(CASE WHEN status <> 'cancelled' THEN 0 END));