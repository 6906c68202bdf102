import { UserError } from '@cmcrd/data/user-error';

/**
 * A configuration the runner refuses before any training or writing. `location.key` is the path to
 * the refused value in the run input (`['options', 'temperature']`), where one value is at fault.
 */
export class ConfigError extends UserError {
  override name = 'ConfigError';
}
