CREATE TABLE `catalog_version` (
	`id` integer PRIMARY KEY NOT NULL,
	`version` integer DEFAULT 0 NOT NULL,
	CONSTRAINT "catalog_version_one_row" CHECK("catalog_version"."id" = 1)
);
--> statement-breakpoint
-- Hand-written below (drizzle-kit does not make triggers): the one row, and every change to a
-- table whose rows a process may keep in memory gives it a new random number (src/sync/availability.ts):
-- random, not +1, so the number of a change rolled back is not the number of a later one.
INSERT INTO `catalog_version` (`id`, `version`) VALUES (1, 0);
--> statement-breakpoint
CREATE TRIGGER `clinics_insert_catalog_version` AFTER INSERT ON `clinics` BEGIN UPDATE `catalog_version` SET `version` = random() WHERE `id` = 1; END;
--> statement-breakpoint
CREATE TRIGGER `clinics_update_catalog_version` AFTER UPDATE ON `clinics` BEGIN UPDATE `catalog_version` SET `version` = random() WHERE `id` = 1; END;
--> statement-breakpoint
CREATE TRIGGER `clinics_delete_catalog_version` AFTER DELETE ON `clinics` BEGIN UPDATE `catalog_version` SET `version` = random() WHERE `id` = 1; END;
--> statement-breakpoint
CREATE TRIGGER `doctors_insert_catalog_version` AFTER INSERT ON `doctors` BEGIN UPDATE `catalog_version` SET `version` = random() WHERE `id` = 1; END;
--> statement-breakpoint
CREATE TRIGGER `doctors_update_catalog_version` AFTER UPDATE ON `doctors` BEGIN UPDATE `catalog_version` SET `version` = random() WHERE `id` = 1; END;
--> statement-breakpoint
CREATE TRIGGER `doctors_delete_catalog_version` AFTER DELETE ON `doctors` BEGIN UPDATE `catalog_version` SET `version` = random() WHERE `id` = 1; END;
--> statement-breakpoint
CREATE TRIGGER `schedules_insert_catalog_version` AFTER INSERT ON `schedules` BEGIN UPDATE `catalog_version` SET `version` = random() WHERE `id` = 1; END;
--> statement-breakpoint
CREATE TRIGGER `schedules_update_catalog_version` AFTER UPDATE ON `schedules` BEGIN UPDATE `catalog_version` SET `version` = random() WHERE `id` = 1; END;
--> statement-breakpoint
CREATE TRIGGER `schedules_delete_catalog_version` AFTER DELETE ON `schedules` BEGIN UPDATE `catalog_version` SET `version` = random() WHERE `id` = 1; END;
