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
