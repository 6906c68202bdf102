import { UserError, type UserErrorLocation } from './user-error.js';

/** Thrown for a dataset name that is not one of {@link DATASET_NAMES}. */
export class UnknownDatasetError extends UserError {
  constructor(message: string, location?: UserErrorLocation) {
    super(message, location);
    this.name = 'UnknownDatasetError';
  }
}

/**
 * Thrown for a bad protocol name, fold key or protocol option; the message names the offending
 * value, and `location.key` the option (relative to the protocol options) when one is at fault.
 */
export class ProtocolError extends UserError {
  constructor(message: string, location?: UserErrorLocation) {
    super(message, location);
    this.name = 'ProtocolError';
  }
}
