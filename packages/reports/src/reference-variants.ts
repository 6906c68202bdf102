import type { ReadStore } from '@cmcrd/store/read';
import type { ReportOptions } from './model.js';
import { tableNaming } from './tables.js';

/**
 * Why `report significance --reference <method>` found no rows when the method has folds: they are
 * all option variants (none at the plugin's defaults, or the plugin is not loaded here, so which
 * one is the default cannot be told). Names the rows --reference can take; null when none stored.
 */
export function referenceVariantsHint(store: ReadStore, reference: string, o: ReportOptions): string | null {
  const facts = store.foldFacts({ dataset: o.dataset, protocol: o.protocol, backbone: o.backbone, seed: o.seed });
  const method = reference.replace(/ \(.*$/, '');
  const mine = facts.filter((f) => f.method === method && f.direction !== 'none');
  if (!mine.length) return null;
  const { variantOf } = tableNaming(facts);
  const keys = [...new Set(mine.map((f) => variantOf(f).key))].sort();
  if (keys.includes(reference)) return null;
  return ` ('${method}' has only option variants here: ${keys.map((k) => `'${k}'`).join(', ')}; pass one of them as --reference, or load the plugin with --plugin so that its default options are known)`;
}
