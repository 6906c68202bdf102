import { UserError } from '../user-error.js';

/** A problem with a file being imported: the message names the file and, where there is one, the variable. */
export class ImportError extends UserError {
  override name = 'ImportError';
  constructor(
    what: string,
    readonly file: string,
    readonly variable?: string,
  ) {
    super(variable && !what.includes(`'${variable}'`) ? `${file}: variable '${variable}' ${what}` : `${file}: ${what}`, {
      file,
      ...(variable === undefined ? {} : { parameter: variable }),
    });
  }
}
