CREATE TABLE `epochs` (
	`fold_id` integer NOT NULL,
	`epoch` integer NOT NULL,
	`lr` real NOT NULL,
	`losses` text NOT NULL,
	`train_accuracy` real NOT NULL,
	`val_accuracy` real,
	`test_accuracy` real,
	PRIMARY KEY(`fold_id`, `epoch`),
	FOREIGN KEY (`fold_id`) REFERENCES `folds`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `folds` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`config_hash` text NOT NULL,
	`config` text NOT NULL,
	`dataset` text NOT NULL,
	`synthetic` integer NOT NULL,
	`protocol` text NOT NULL,
	`fold_key` text NOT NULL,
	`method` text NOT NULL,
	`backbone` text NOT NULL,
	`direction` text NOT NULL,
	`test_modality` text NOT NULL,
	`seed` integer NOT NULL,
	`options` text NOT NULL,
	`protocol_options` text NOT NULL,
	`status` text NOT NULL,
	`accuracy` real,
	`balanced_accuracy` real,
	`confusion` text,
	`train_size` integer,
	`test_size` integer,
	`train_ms` real,
	`test_ms` real,
	`epochs` integer NOT NULL,
	`selected_epoch` integer,
	`backend` text NOT NULL,
	`host` text NOT NULL,
	`teacher_key` text,
	`teacher_accuracy` real,
	`teacher_ms` real,
	`error` text,
	`started_at` text NOT NULL,
	`finished_at` text NOT NULL,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `folds_config_hash_unique` ON `folds` (`config_hash`);--> statement-breakpoint
CREATE INDEX `folds_cell_idx` ON `folds` (`dataset`,`protocol`,`backbone`,`method`,`direction`);