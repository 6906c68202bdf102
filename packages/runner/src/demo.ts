import { requireBackend } from '@cmcrd/core';
import { datasetSpec, listFolds } from '@cmcrd/data';
import { ConfigError, type RunInput } from './config.js';
import { executeJobs } from './execute.js';
import { canonicalJson } from '@cmcrd/store';
import { DEFAULT_DB, userPath } from '@cmcrd/store';
import { expandJobs } from './jobs.js';
import { progressPrinter } from './report-progress.js';
import { Store } from '@cmcrd/store';
import { buildReport, formatReport } from '@cmcrd/reports';

export const DEMO_DATASET = 'synthetic-seed-iv';
/** The experiment (sweeps row) the demo's folds belong to. */
export const DEMO_EXPERIMENT = 'demo';
export const DEMO_METHODS = ['eeg-only', 'em-only', 'fusion', 'kd', 'fitnet', 'nst', 'sp', 'rkd', 'pkt', 'crd', 'cmcrd'];
/**
 * With every method the demo covers the first 4 subjects, so that it stays within about five
 * minutes on two cores (`--subjects 15` runs them all).
 */
export const DEMO_SUBJECTS = 4;
/** Shorter than the paper's 40 (student) / 50 (teacher) epochs so that the demo fits in minutes. */
export const DEMO_EPOCHS = { student: 12, warmup: 3, teacher: 12 };

export interface DemoOptions {
  db: string;
  workers: number;
  backend?: string;
  subjects?: number;
  /** A subset of DEMO_METHODS (default: all of them). */
  methods?: string[];
  /** Store each fold's trained model (default true). */
  keepModels?: boolean;
}

export function demoInputs(subjects?: number, methods: readonly string[] = DEMO_METHODS): RunInput[] {
  const folds = listFolds(datasetSpec(DEMO_DATASET), 'within-subject');
  const chosen = folds.slice(0, subjects ?? DEMO_SUBJECTS);
  return methods.map((method) => ({
    dataset: DEMO_DATASET,
    protocol: 'within-subject',
    backbone: 'dnn',
    method,
    direction: 'em->eeg',
    seed: 1,
    epochs: DEMO_EPOCHS.student,
    warmupEpochs: DEMO_EPOCHS.warmup,
    teacherEpochs: DEMO_EPOCHS.teacher,
    folds: chosen,
  }));
}

export async function runDemo(o: DemoOptions): Promise<number> {
  if (o.subjects !== undefined && o.subjects < 1) throw new ConfigError(`--subjects must be at least 1, got ${o.subjects}`);
  const unknown = (o.methods ?? []).filter((m) => !DEMO_METHODS.includes(m));
  if (unknown.length) throw new ConfigError(`--methods: '${unknown.join("', '")}' not in the demo (its methods: ${DEMO_METHODS.join(', ')})`);
  const methods = o.methods?.length ? o.methods : DEMO_METHODS;
  const inputs = demoInputs(o.subjects, methods);
  // Every fold stores its t-SNE embedding (about half a second each) for the dashboard's plots.
  const { jobs } = expandJobs(inputs, { embeddings: true, keepModels: o.keepModels !== false });
  if (o.backend) await requireBackend(o.backend);
  const store = Store.open(o.db);
  const t0 = performance.now();
  try {
    const subjects = new Set(jobs.map((j) => j.foldKey)).size;
    const total = listFolds(datasetSpec(DEMO_DATASET), 'within-subject').length;
    console.log(
      `CMCRD demo: ${DEMO_DATASET} (synthetic), within-subject, DNN, EM teacher → EEG student\n` +
        `  methods: ${methods.join(', ')}\n` +
        `  ${subjects} of ${total} subjects${subjects < total ? ` (to stay within ~5 minutes on 2 cores; --subjects ${total} for all)` : ''}, ` +
        `${DEMO_EPOCHS.student} student / ${DEMO_EPOCHS.teacher} teacher epochs (paper: 40 / 50), ${o.workers} worker(s)`,
    );
    // The demo's folds are its own experiment in the store, beside any sweep's (the dashboard lists it).
    const experiment = store.openSweep({
      name: DEMO_EXPERIMENT,
      file: 'cmcrd demo',
      spec: canonicalJson(inputs),
      options: {},
      folds: jobs.length,
    });
    const summary = await executeJobs(jobs, store, {
      workers: o.workers,
      backend: o.backend,
      sweepId: experiment.id,
      onEvent: progressPrinter(),
    });
    const failed = jobs.filter((j) => store.findByHash(j.configHash)?.status === 'failed').length;
    store.finishSweep(experiment.id, failed);
    const tables = buildReport(store, 'comparison', { dataset: DEMO_DATASET, protocol: 'within-subject', backbone: 'dnn', seed: 1 });
    console.log(`\n${formatReport('comparison', tables, 'text')}`);
    const secs = ((performance.now() - t0) / 1000).toFixed(0);
    const dbFlag = store.path === userPath(DEFAULT_DB) ? '' : ` --db ${store.path}`;
    console.log(
      `\n${summary.finished} fold(s) run in ${secs} s, ${summary.skipped} already stored, ${summary.failed} failed.\n` +
        `Results (SQLite, one row per fold and per epoch): ${store.path}\n` +
        `Print the table again: npx pnpm@10.34.8 -s cmcrd report comparison${dbFlag} (--format md|latex|csv|json)\n` +
        `Browse it (tables, drill-downs, curves, embeddings): npx pnpm@10.34.8 -s cmcrd serve${dbFlag}, then http://127.0.0.1:3000/`,
    );
    return summary.failed > 0 ? 1 : 0;
  } finally {
    store.close();
  }
}
