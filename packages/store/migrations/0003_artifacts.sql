CREATE TABLE `artifacts` (
	`fold_id` integer NOT NULL,
	`kind` text NOT NULL,
	`data` text NOT NULL,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL,
	PRIMARY KEY(`fold_id`, `kind`),
	FOREIGN KEY (`fold_id`) REFERENCES `folds`(`id`) ON UPDATE no action ON DELETE cascade
);
