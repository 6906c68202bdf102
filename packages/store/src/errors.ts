import { UserError } from '@cmcrd/data/user-error';

/** A store refused or failing: the CLI prints the message (exit 2). */
export class StoreError extends UserError {
  override name = 'StoreError';
}
