import { UserError } from '@cmcrd/data/user-error';

/** A report that cannot be built as asked (an unknown table, format or method): exit 2 on the CLI. */
export class ReportError extends UserError {
  override name = 'ReportError';
}
