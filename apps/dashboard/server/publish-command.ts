import { DEFAULT_DB, userPath } from '@cmcrd/store/paths';
import type { Command } from 'commander';

// Light on purpose, like serve's: `cmcrd --help` registers this command without loading the store,
// the dashboard or esbuild; the action imports publish.ts when it runs.

const mb = (n: number) => `${(n / 1e6).toFixed(1)} MB`;

/** `cmcrd publish`: the dashboard as a static site that recomputes every number in the reader's browser (docs/publish.md). */
export function registerPublishCommand(program: Command): void {
  program
    .command('publish')
    .description("the dashboard as a static site over a slimmed copy of a store: every number recomputed in the reader's browser (docs/publish.md)")
    .requiredOption('--out <dir>', 'a new (or empty) folder for the site')
    .option('--db <path>', 'SQLite store', DEFAULT_DB)
    .option('--experiment <name>', "only this experiment's folds (a sweep's name; repeatable; default: every fold)", (v: string, acc: string[] = []) => [...acc, v])
    .option('--with-models', "include the folds' kept models (downloads and try-it)")
    .option('--with-embeddings', "include the folds' t-SNE embeddings")
    .action(async (o: { out: string; db: string; experiment?: string[]; withModels?: boolean; withEmbeddings?: boolean }) => {
      const { publishSite } = await import('./publish.js');
      const started = performance.now();
      const s = await publishSite({
        db: userPath(o.db),
        out: userPath(o.out),
        experiments: o.experiment,
        withModels: o.withModels,
        withEmbeddings: o.withEmbeddings,
      });
      console.log(`published ${s.out} in ${((performance.now() - started) / 1000).toFixed(1)} s: ${s.files} files, ${mb(s.bytes)}`);
      console.log(
        `  the store's copy: ${s.folds} folds, ${s.epochs} epochs, ${s.sweeps} experiments, ${s.embeddings} embeddings, ${s.models} models; ${mb(s.storeBytes)} (${mb(s.storeGzBytes)} gzip)`,
      );
      console.log(`  serve the folder at the root of any static host (e.g. cd ${o.out} && python3 -m http.server); the Verify page shows how to check it`);
    });
}
