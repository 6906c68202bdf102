DROP INDEX `folds_report_idx`;--> statement-breakpoint
ALTER TABLE `folds` ADD `code_revision` text DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE `folds` ADD `display_name` text DEFAULT '' NOT NULL;--> statement-breakpoint
CREATE INDEX `folds_display_name_idx` ON `folds` (`method`,`display_name`);--> statement-breakpoint
CREATE INDEX `folds_report_idx` ON `folds` (`dataset`,`data_revision`,`protocol`,`protocol_options`,`direction`,`backbone`,`method`,`variant`,`fold_key`,`status`,`synthetic`,`seed`,`accuracy`,`train_ms`,`test_ms`,`teacher_ms`,`backend`,`code_revision`);