CREATE TABLE `claims` (
	`config_hash` text PRIMARY KEY NOT NULL,
	`owner` text NOT NULL,
	`host` text NOT NULL,
	`pid` integer NOT NULL,
	`sweep_id` integer,
	`claimed_at` integer NOT NULL,
	`heartbeat_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `claims_owner_idx` ON `claims` (`owner`);--> statement-breakpoint
CREATE TABLE `step_times` (
	`machine` text NOT NULL,
	`backend` text NOT NULL,
	`kind` text NOT NULL,
	`ms_per_step` real NOT NULL,
	`low_ms` real NOT NULL,
	`high_ms` real NOT NULL,
	`cpu_ms` real,
	`steps` integer NOT NULL,
	`measured_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL,
	PRIMARY KEY(`machine`, `backend`, `kind`)
);
--> statement-breakpoint
DROP INDEX `folds_report_idx`;--> statement-breakpoint
ALTER TABLE `folds` ADD `code_revision` text DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE `folds` ADD `display_name` text DEFAULT '' NOT NULL;--> statement-breakpoint
CREATE INDEX `folds_display_name_idx` ON `folds` (`method`,`display_name`);--> statement-breakpoint
CREATE INDEX `folds_report_idx` ON `folds` (`dataset`,`data_revision`,`protocol`,`protocol_options`,`direction`,`backbone`,`method`,`variant`,`fold_key`,`status`,`synthetic`,`seed`,`accuracy`,`train_ms`,`test_ms`,`teacher_ms`,`backend`,`code_revision`);