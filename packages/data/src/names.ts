// The names the command line offers (--dataset, --protocol), in a module that loads nothing:
// `cmcrd --help` prints them without loading the dataset code (spec.ts and protocol.ts take them
// from here and check them against their specs), and where the imported releases are cached.

export { dataDir } from './data-dir.js';

/** The built-in (synthetic) datasets: always available. */
export const DATASET_NAMES: readonly string[] = Object.freeze(['synthetic-seed', 'synthetic-seed-iv', 'synthetic-seed-v']);
/** The official releases, available once imported (`cmcrd data import`): the built-ins without 'synthetic-'. */
export const RELEASE_NAMES: readonly string[] = Object.freeze(DATASET_NAMES.map((n) => n.replace(/^synthetic-/, '')));

export type ProtocolName = 'within-subject' | 'cross-subject';
export const PROTOCOL_NAMES: readonly ProtocolName[] = Object.freeze(['within-subject', 'cross-subject'] as const);
