/**
 * Where a user's mistake is. Every part is optional: an error fills in what it knows.
 * - `file`, `line`, `column`: the file the user wrote or named (a sweep, a MAT file, a store), and
 *   the 1-based position in it when known.
 * - `key`: the path of keys to the offending value, from the root of what was validated: `['method']`,
 *   `['options', 'temperature']`, `['folds', 3]`. A caller that knows where that input came from
 *   (the sweep loader: from YAML nodes) maps the path back to it.
 * - `related`: further key paths the problem involves, in order of blame, when the value at `key`
 *   is not wrong on its own (`warmupEpochs` exceeds `epochs`: key warmupEpochs, related epochs).
 * - `parameter`: a named parameter outside any file (a MAT variable, a command-line option).
 */
export interface UserErrorLocation {
  file?: string;
  line?: number;
  column?: number;
  key?: readonly (string | number)[];
  related?: readonly (readonly (string | number)[])[];
  parameter?: string;
}

/**
 * A refusal of something the user wrote, named or asked for: a config, a file, a name, an option.
 * The message is complete on its own (it names the file, key or parameter and what is accepted);
 * `location` carries the same place as data, so that callers need not parse the message. The CLI
 * prints the message and exits 2 for any UserError. Failures of the machine or the code (a lost
 * GPU, a diverged training, a bug) are not UserErrors.
 *
 * Lives in @cmcrd/data, the bottom of the dependency chain, and is importable alone as
 * `@cmcrd/data/user-error` without loading any dataset code.
 */
export class UserError extends Error {
  override name = 'UserError';
  readonly location: UserErrorLocation;

  constructor(message: string, location: UserErrorLocation = {}, options?: ErrorOptions) {
    super(message, options);
    this.location = location;
  }
}
