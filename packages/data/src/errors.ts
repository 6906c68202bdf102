/** Thrown for a dataset name that is not one of {@link DATASET_NAMES}. */
export class UnknownDatasetError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnknownDatasetError';
  }
}

/** Thrown for a bad protocol name, fold key or protocol option; the message names the offending value. */
export class ProtocolError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ProtocolError';
  }
}
