import { datasetSpec, listFolds } from '@cmcrd/data';
import type { RunInput } from './config.js';
import { executeJobs } from './execute.js';
import { expandJobs } from './jobs.js';
import { progressPrinter } from './report-progress.js';
import { Store } from './store/store.js';
import { comparisonTables, formatComparison } from './table.js';

export const DEMO_DATASET = 'synthetic-seed-iv';
export const DEMO_METHODS = ['eeg-only', 'em-only', 'cmcrd'];
/** Shorter than the paper's 40 (student) / 50 (teacher) epochs so that the demo fits in minutes. */
export const DEMO_EPOCHS = { student: 12, warmup: 3, teacher: 12 };

export interface DemoOptions {
  db: string;
  workers: number;
  backend?: string;
  subjects?: number;
}

export function demoInputs(subjects?: number): RunInput[] {
  const folds = listFolds(datasetSpec(DEMO_DATASET), 'within-subject');
  const chosen = subjects ? folds.slice(0, subjects) : folds;
  return DEMO_METHODS.map((method) => ({
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
  const inputs = demoInputs(o.subjects);
  const { jobs } = expandJobs(inputs);
  const store = Store.open(o.db);
  const t0 = performance.now();
  try {
    const subjects = new Set(jobs.map((j) => j.foldKey)).size;
    console.log(
      `CMCRD demo: ${DEMO_DATASET} (synthetic), within-subject, DNN, ${DEMO_METHODS.join(' / ')} (EM teacher → EEG student), ` +
        `${subjects} subject(s), ${DEMO_EPOCHS.student} student / ${DEMO_EPOCHS.teacher} teacher epochs (paper: 40 / 50), ` +
        `${o.workers} worker(s)`,
    );
    const summary = await executeJobs(jobs, store, { workers: o.workers, backend: o.backend, onEvent: progressPrinter() });
    for (const t of comparisonTables(store, { dataset: DEMO_DATASET, protocol: 'within-subject', backbone: 'dnn', seed: 1 })) {
      console.log(`\n${formatComparison(t)}`);
    }
    const secs = ((performance.now() - t0) / 1000).toFixed(0);
    console.log(
      `\n${summary.finished} fold(s) run in ${secs} s, ${summary.skipped} already stored, ${summary.failed} failed.\n` +
        `Results (SQLite, one row per fold and per epoch): ${store.path}\n` +
        `Print the table again: npx pnpm@10.34.8 -s cmcrd table --db ${store.path}`,
    );
    return summary.failed > 0 ? 1 : 0;
  } finally {
    store.close();
  }
}
