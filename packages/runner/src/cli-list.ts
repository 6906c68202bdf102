import { BACKEND_NAMES, listBackbones, listDistillers } from '@cmcrd/core';
import { DATASET_NAMES, PROTOCOL_NAMES, RELEASE_NAMES } from '@cmcrd/data';
import { formatBackends } from './cli-backends.js';
import { REFERENCE_METHODS } from './config.js';
import { loadBuiltins, loadCliPlugins } from './plugins.js';

/** `cmcrd list`: what is registered here, with outside plugins, and which backends load. */
export async function cmdList(o: { plugin?: string[] }): Promise<void> {
  loadBuiltins();
  await loadCliPlugins(o.plugin);
  console.log(`datasets:  ${DATASET_NAMES.join(', ')}; releases (after cmcrd data import): ${RELEASE_NAMES.join(', ')}`);
  console.log(`protocols: ${PROTOCOL_NAMES.join(', ')}`);
  console.log(`backbones: ${listBackbones().join(', ')}`);
  console.log(`methods:   ${[...REFERENCE_METHODS, ...listDistillers()].join(', ')}`);
  console.log(`backends:  ${BACKEND_NAMES.join(' → ')} (first available in this order, unless --backend)`);
  console.log(await formatBackends());
}
