import { requireBackend } from '@cmcrd/core';
import type { RunInput } from './config.js';
import { executeJobs } from './execute.js';
import { expandJobs, preparePlugins } from './jobs.js';
import { userPath } from '@cmcrd/store';
import { progressPrinter } from './report-progress.js';
import { buildReport, formatReport } from '@cmcrd/reports';
import { Store } from '@cmcrd/store';

/** `cmcrd run`: every fold of one cell, then its comparison table. */
export async function cmdRun(o: Record<string, unknown>): Promise<number> {
  const input: RunInput = {
    dataset: o.dataset as string,
    protocol: o.protocol as string,
    backbone: o.backbone as string,
    method: o.method as string,
    direction: o.direction as string,
    seed: o.seed as number,
    dataSeed: o.dataSeed as number,
    epochs: o.epochs as number,
    // Not given: resolveRun's one rule (run-defaults.ts defaultWarmupEpochs), as for sweeps.
    warmupEpochs: o.warmupEpochs as number | undefined,
    teacherEpochs: o.teacherEpochs as number,
    options: (o.options as Record<string, unknown>) ?? {},
    protocolOptions: (o.protocolOption as Record<string, unknown>) ?? {},
    folds: o.folds ? String(o.folds).split(',').map((s) => s.trim()) : undefined,
    plugins: (o.plugin as string[] | undefined) ?? undefined,
  };
  // Everything is validated (and outside plugins loaded) before the store is opened: a bad name writes nothing.
  const [prepared] = await preparePlugins([input], process.env.INIT_CWD ?? process.cwd());
  // A run is a handful of folds: each stores its t-SNE embedding (about half a second) for the plots.
  // … and its trained model (cmcrd export), unless --no-keep-models.
  const { jobs } = expandJobs([prepared], { embeddings: true, keepModels: o.keepModels !== false });
  if (o.backend) await requireBackend(o.backend as string);
  const store = Store.open(userPath(o.db as string));
  try {
    console.log(`cmcrd run: ${jobs.length} fold(s) of ${input.method} on ${input.dataset} (${input.protocol}, ${input.backbone}) → ${store.path}`);
    const summary = await executeJobs(jobs, store, { workers: o.workers as number, backend: o.backend as string | undefined, onEvent: progressPrinter() });
    const tables = buildReport(store, 'comparison', { dataset: input.dataset, protocol: input.protocol, backbone: input.backbone });
    if (tables.length) console.log(`\n${formatReport('comparison', tables, 'text')}`);
    console.log(`\n${summary.finished} fold(s) run, ${summary.skipped} already stored, ${summary.failed} failed. Results: ${store.path}`);
    return summary.failed > 0 ? 1 : 0;
  } finally {
    store.close();
  }
}
