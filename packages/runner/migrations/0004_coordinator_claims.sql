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
CREATE INDEX `claims_owner_idx` ON `claims` (`owner`);