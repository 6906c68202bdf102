// `cmcrd merge SHARD… --into STORE`: the stores of a sweep's shards (one per Slurm array task)
// merged into one store (@cmcrd/store's mergeStores). A refusal is a StoreError: exit 2, its message.
import { type MergeCounts, mergeStores, userPath } from '@cmcrd/store';

const num = (x: number) => x.toLocaleString('en-US');

/** What one shard (or all) added, in one line: folds first, then what came with them (when any). */
export function describeCounts(c: MergeCounts): string {
  const folds = [`+${num(c.done + c.failed)} folds (${num(c.done)} done, ${num(c.failed)} failed`];
  if (c.replaced) folds.push(`, ${num(c.replaced)} replacing failed rows`);
  folds.push(')');
  if (c.kept) folds.push(`, ${num(c.kept)} already stored${c.keptDiffering ? ` (${num(c.keptDiffering)} with other results: the stored ones kept)` : ''}`);
  if (c.superseded) folds.push(`, ${num(c.superseded)} failed here but done in another shard`);
  const rest = Object.entries({ epochs: c.epochs, artifacts: c.artifacts, teachers: c.teachers, 'step times': c.stepTimes, sweeps: c.sweeps })
    .filter(([, v]) => v > 0)
    .map(([k, v]) => `+${num(v)} ${k}`);
  return rest.length ? `${folds.join('')}; ${rest.join(', ')}` : folds.join('');
}

export function cmdMerge(shards: string[], o: { into: string }): number {
  // Each shard as the user typed it (a glob's expansion, usually).
  const files = shards.map((s) => userPath(s));
  const typed = new Map(files.map((f, i) => [f, shards[i]]));
  const into = userPath(o.into);
  const t0 = performance.now();
  const report = mergeStores(into, files, {
    onShard: (r) => console.log(`${typed.get(r.shard) ?? r.shard}: ${describeCounts(r)}`),
  });
  const seconds = ((performance.now() - t0) / 1000).toFixed(1);
  console.log(`total: ${describeCounts(report.total)} → ${o.into}${report.created ? ' (created)' : ''}, ${report.shards.length} shard(s) in ${seconds} s`);
  return 0;
}
