// `cmcrd merge` at the paper grid's scale: 8 shard stores holding 100,000 folds in all (5 epochs
// each, teachers, some kept models and embeddings, a few failed folds) merged into a new store, then
// merged again (the idempotent no-op). Target: ≤ 30 s, memory bounded (SQLite's page caches, not the
// folds). Each merge runs in a process of its own, so that its peak RSS is its own.
//   pnpm --filter @cmcrd/store run bench
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { mergeStores } from '../src/index.js';
import type { NewFoldRow } from '../src/schema.js';
import { Store } from '../src/store.js';
import { fixtureRow, insertFolds, paperShapedFolds } from '../src/testing.js';

const FOLDS = 100_000;
const SHARDS = 8;
const EPOCHS = 5;
/** One fold in MODEL_EVERY keeps its model (64 KB of weights) and one in TSNE_EVERY its embedding. */
const MODEL_EVERY = 50;
const TSNE_EVERY = 50;
/** One teacher (16 KB of weights) per TEACHER_EVERY folds. */
const TEACHER_EVERY = 10;
const FAILED_EVERY = 200;

/** The child: one merge, its seconds and peak RSS as JSON on stdout. */
if (process.argv[2] === '--merge') {
  const [into, ...shards] = process.argv.slice(3);
  const t0 = performance.now();
  const report = mergeStores(into, shards);
  const seconds = (performance.now() - t0) / 1000;
  console.log(JSON.stringify({ seconds, maxRssBytes: process.resourceUsage().maxRSS * 1024, total: report.total }));
  process.exit(0);
}

const work = mkdtempSync(join(tmpdir(), 'cmcrd-merge-bench-'));
const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MiB`;

/** A shard as a sweep's task leaves it: its folds (some failed), their epochs and artifacts, its teachers, its sweep row. */
function writeShard(file: string, index: number, rows: NewFoldRow[]): void {
  const store = Store.open(file);
  try {
    const sweep = store.openSweep({ name: 'paper', file: 'sweeps/paper.yaml', spec: 'name: paper', options: { real: true }, folds: FOLDS });
    insertFolds(
      store,
      rows.map((r, i) => (i % FAILED_EVERY === FAILED_EVERY - 1 ? { ...r, status: 'failed', accuracy: null, balancedAccuracy: null, error: 'bench failure' } : r)),
    );
    const db = (store.db as typeof store.db & { $client: import('better-sqlite3').Database }).$client;
    db.transaction(() => {
      db.prepare('UPDATE folds SET sweep_id = ?, confusion = ?, train_size = 2400, test_size = 600, selected_epoch = 40').run(
        sweep.id,
        JSON.stringify([
          [130, 10, 5, 5],
          [8, 140, 1, 1],
          [9, 9, 120, 12],
          [4, 6, 10, 130],
        ]),
      );
      db.prepare(
        `INSERT INTO epochs (fold_id, epoch, lr, losses, train_accuracy, val_accuracy, test_accuracy)
         SELECT f.id, e.n, 0.001 * (1 - e.n / 50.0), json_object('ce', 1.2 / e.n, 'distill', 0.4 / e.n, 'mcc', 0.1, 'total', 1.7 / e.n),
                0.5 + e.n / 20.0, NULL, f.accuracy
           FROM folds f, (${Array.from({ length: EPOCHS }, (_, i) => `SELECT ${i + 1} AS n`).join(' UNION ALL ')}) e
          WHERE f.status = 'done'`,
      ).run();
      db.prepare(
        `INSERT INTO artifacts (fold_id, kind, data)
         SELECT id, 'model', json_object('format', 1, 'modelId', config_hash, 'weights', hex(randomblob(32768))) FROM folds
          WHERE status = 'done' AND id % ${MODEL_EVERY} = 0`,
      ).run();
      db.prepare(
        `INSERT INTO artifacts (fold_id, kind, data)
         SELECT id, 'tsne', json_object('points', hex(randomblob(8192)), 'seed', seed) FROM folds
          WHERE status = 'done' AND id % ${TSNE_EVERY} = 1`,
      ).run();
      db.prepare(
        `INSERT INTO teachers (key, config, dataset, fold_key, modality, backbone, seed, weights, accuracy, train_ms, backend, host)
         SELECT 'teacher-${index}-' || id, '{}', dataset, fold_key, 'em', backbone, seed, randomblob(16384), 0.7, 5000, 'wasm', 'node-${index}'
           FROM folds WHERE id % ${TEACHER_EVERY} = 0`,
      ).run();
    })();
    store.saveStepTimes([
      { machine: `node-${index}`, backend: 'wasm', kind: '["student","dnn"]', msPerStep: 3, lowMs: 2.5, highMs: 3.5, cpuMs: 3, steps: 40 },
      { machine: `node-${index}`, backend: 'wasm', kind: '["teacher","dnn","em"]', msPerStep: 2, lowMs: 1.5, highMs: 2.5, cpuMs: 2, steps: 40 },
    ]);
  } finally {
    store.close();
  }
}

function mergeInChild(into: string, shards: string[]): { seconds: number; maxRssBytes: number; total: Record<string, number> } {
  const r = spawnSync(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), '--merge', into, ...shards], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  if (r.status !== 0) throw new Error(`the merge failed (exit ${r.status})`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!);
}

try {
  process.stderr.write(`bench: writing ${SHARDS} shards of ${FOLDS / SHARDS} folds …\n`);
  const t0 = performance.now();
  const all: NewFoldRow[] = [];
  for (const f of paperShapedFolds(Math.ceil(FOLDS / 5760))) {
    if (all.length === FOLDS) break;
    all.push(fixtureRow(f));
  }
  const per = FOLDS / SHARDS;
  const shards = Array.from({ length: SHARDS }, (_, i) => {
    const file = join(work, `shard-${i + 1}.sqlite`);
    writeShard(file, i + 1, all.slice(i * per, (i + 1) * per));
    return file;
  });
  all.length = 0;
  const bytes = shards.reduce((s, f) => s + statSync(f).size, 0);
  process.stderr.write(`bench: shards written in ${((performance.now() - t0) / 1000).toFixed(1)} s; merging …\n`);

  const into = join(work, 'merged.sqlite');
  const first = mergeInChild(into, shards);
  const again = mergeInChild(into, shards);
  const t = first.total;
  console.log(
    `\nmerge: ${SHARDS} shards, ${FOLDS.toLocaleString('en-US')} folds (${EPOCHS} epochs each; a model kept by 1 in ${MODEL_EVERY}, an embedding by 1 in ${TSNE_EVERY}; 1 in ${FAILED_EVERY} failed), ${mib(bytes)} of shards`,
  );
  console.log(
    `  into a new store       ${first.seconds.toFixed(1)} s, peak RSS ${mib(first.maxRssBytes)}  ${first.seconds <= 30 ? '≤ 30 s met' : '> 30 s MISSED'}` +
      `  (+${t.done} done, +${t.failed} failed, +${t.epochs} epochs, +${t.artifacts} artifacts, +${t.teachers} teachers; target ${mib(statSync(into).size)})`,
  );
  console.log(
    `  again (idempotent)     ${again.seconds.toFixed(1)} s, peak RSS ${mib(again.maxRssBytes)}  (+${again.total.done + again.total.failed} folds, ${again.total.kept} already stored)`,
  );
} finally {
  rmSync(work, { recursive: true, force: true });
}
