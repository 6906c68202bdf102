ALTER TABLE `folds` ADD `method_defaults` text;--> statement-breakpoint
CREATE INDEX `folds_method_defaults_idx` ON `folds` (`method`,`method_defaults`);