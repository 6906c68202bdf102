/** A store refused or failing: the CLI prints the message (exit 2). */
export class StoreError extends Error {
  override name = 'StoreError';
}
