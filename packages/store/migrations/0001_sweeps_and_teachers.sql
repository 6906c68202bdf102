CREATE TABLE `sweeps` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`name` text NOT NULL,
	`file` text NOT NULL,
	`spec` text NOT NULL,
	`spec_hash` text NOT NULL,
	`options` text NOT NULL,
	`status` text NOT NULL,
	`folds` integer NOT NULL,
	`failed` integer DEFAULT 0 NOT NULL,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL,
	`finished_at` text
);
--> statement-breakpoint
CREATE UNIQUE INDEX `sweeps_spec_hash_unique` ON `sweeps` (`spec_hash`);--> statement-breakpoint
CREATE TABLE `teachers` (
	`key` text PRIMARY KEY NOT NULL,
	`config` text NOT NULL,
	`dataset` text NOT NULL,
	`fold_key` text NOT NULL,
	`modality` text NOT NULL,
	`backbone` text NOT NULL,
	`seed` integer NOT NULL,
	`weights` blob NOT NULL,
	`accuracy` real NOT NULL,
	`train_ms` real NOT NULL,
	`backend` text NOT NULL,
	`host` text NOT NULL,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL
);
--> statement-breakpoint
ALTER TABLE `folds` ADD `attempts` integer DEFAULT 1 NOT NULL;--> statement-breakpoint
ALTER TABLE `folds` ADD `sweep_id` integer REFERENCES sweeps(id);