ALTER TABLE `folds` ADD `variant` text DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE `folds` ADD `data_revision` text DEFAULT '' NOT NULL;--> statement-breakpoint
-- Hand-written backfill: folds stored before this migration get the derived columns from their config, as fold.ts writes them.
UPDATE `folds` SET
  `variant` = `options` || char(31) || coalesce(json_extract(`config`, '$.student'), '') || char(31) || coalesce(json_extract(`config`, '$.teacher.epochs'), '') || char(31) || coalesce(json_extract(`config`, '$.module'), ''),
  `data_revision` = coalesce(json_extract(`config`, '$.dataVersion'), json_extract(`config`, '$.dataSeed'), '');--> statement-breakpoint
CREATE INDEX `folds_report_idx` ON `folds` (`dataset`,`data_revision`,`protocol`,`protocol_options`,`direction`,`backbone`,`method`,`variant`,`fold_key`,`status`,`synthetic`,`seed`,`accuracy`,`train_ms`,`test_ms`,`teacher_ms`);