// Kept apart from config.ts (which loads the plugin registry) so that `cmcrd --help` can show
// these defaults without loading TensorFlow.js.

/**
 * The defaults of a cell, in one place: the schema below fills them, and the CLI shows them in its
 * help. The warm-up has no constant default: see defaultWarmupEpochs.
 */
export const RUN_DEFAULTS = Object.freeze({
  protocol: 'within-subject',
  backbone: 'dnn',
  direction: 'em->eeg',
  seed: 1,
  dataSeed: 0,
  epochs: 40,
  teacherEpochs: 50,
  batchSize: 32,
  lr: 1e-3,
  weightDecay: 1e-3,
});

/**
 * The student's warm-up epochs when a cell does not give them: a quarter of its epochs, at most
 * 10 (the paper's 10 of 40). One rule for `cmcrd run`, sweeps and the API, so that the same cell
 * has one identity however it is run, and a short sweep (`epochs: 4`) is not refused.
 */
export function defaultWarmupEpochs(epochs: number): number {
  return Math.min(10, Math.floor(epochs / 4));
}
