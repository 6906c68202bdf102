// The directions of distillation, and the message for one that is not. Light (no import), so that the
// read commands check --direction without loading the run configuration (and TensorFlow.js with it).

export type Direction = 'em->eeg' | 'eeg->em';
export const DIRECTIONS: readonly Direction[] = ['em->eeg', 'eeg->em'];

/**
 * The direction `value` was before the shell cut it: unquoted, `--direction em->eeg` reaches us as
 * `em-`, the shell having taken `>eeg` as a redirection of the output into a file named `eeg`.
 */
export function cutDirection(value: string): Direction | undefined {
  return value.endsWith('-') ? DIRECTIONS.find((d) => d.startsWith(value)) : undefined;
}

/**
 * Why `value` is no direction: the known ones, and for a cut one, how to quote it (`quoted` writes
 * the option with the whole direction, e.g. `--direction 'em->eeg'`).
 */
export function unknownDirectionMessage(value: string, quoted: (whole: string) => string = (whole) => `--direction '${whole}'`): string {
  const known = `unknown direction '${value}' (known: ${DIRECTIONS.join(', ')})`;
  const whole = cutDirection(value);
  if (!whole) return known;
  const file = whole.slice(value.length + 1);
  return `${known}: the shell cut ${whole} at '>', which it reads as a redirection (the output went into a file named '${file}'; delete it); quote it: ${quoted(whole)}`;
}
