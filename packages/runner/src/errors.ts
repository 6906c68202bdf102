/** A configuration the runner refuses before any training or writing. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}
