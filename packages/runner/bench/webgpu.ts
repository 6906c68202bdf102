// Issue 15's GPU figures, on the webgpu backend (Dawn). Run by bench/run.ts when a hardware
// adapter exists; also on its own:
//   node --conditions=@cmcrd/source --import tsx bench/webgpu.ts            (a hardware adapter)
//   node --conditions=@cmcrd/source --import tsx bench/webgpu.ts --tiny     (any adapter, lavapipe
//     included: every row at a tiny size, to prove the bench runs; its times are not findings)
// Prints: teacher and student step ms for every method at the within- and cross-subject K and a
// plain step of the three backbones; one within-subject fold (teacher 50 + CMCRD 40 epochs);
// folds/hour against --workers N sharing the one GPU; the paper sweep's dry-run estimate on webgpu.
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describeBackends } from '@cmcrd/core';
import { estimateSweep } from '../src/estimate.js';
import { type RunInput, executeJobs, expandJobs, expandSweep, loadBuiltins, loadSweepFile } from '../src/index.js';
import { Store } from '@cmcrd/store';

const here = fileURLToPath(new URL('.', import.meta.url));
// From source (tsx) the scripts are .ts; in the self-contained GPU bundle (bench/gpu-bundle.ts) .js.
const ext = import.meta.url.endsWith('.ts') ? 'ts' : 'js';
const tiny = process.argv.includes('--tiny');
loadBuiltins();

const webgpu = (await describeBackends()).find((b) => b.name === 'webgpu')!;
if (!webgpu.available) {
  console.log(`\nwebgpu: not available here (${webgpu.detail})`);
  process.exit(0);
}
const a = webgpu.adapter!;
if (a.software && !tiny) {
  console.log(`\nwebgpu: only a software adapter (${a.description}); its speed says nothing about a GPU. Run bench/webgpu.ts --tiny to check that every row works.`);
  process.exit(0);
}
console.log(`\nwebgpu on ${a.vendor} ${a.architecture} (${a.description || a.device})${tiny ? ' — TINY sizes: proves the rows run; the times are not findings' : ''}`);

const fmt = (x: unknown) => (typeof x === 'number' ? x.toFixed(2) : '—');
const METHODS = ['kd', 'fitnet', 'nst', 'sp', 'rkd', 'pkt', 'crd', 'cmcrd'];

// 1. Step times per method at the within- and cross-subject K, and the three backbones.
for (const protocol of ['within-subject', 'cross-subject'] as const) {
  const args = [
    `${here}steps.${ext}`,
    '--backend=webgpu',
    `--protocol=${protocol}`,
    `--methods=${METHODS.join(',')}`,
    `--backbones=${protocol === 'within-subject' ? 1 : 0}`,
    `--fold=${protocol === 'within-subject' ? 1 : 0}`,
    ...(tiny ? ['--rounds=1', '--max-steps=4', '--fold-epochs=1,1', '--dataset=synthetic-seed-v'] : ['--rounds=3', '--max-steps=40']),
  ];
  process.stderr.write(`bench: webgpu ${protocol} steps …\n`);
  const r = spawnSync(process.execPath, [...process.execArgv, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  if (r.status !== 0) {
    console.log(`  ${protocol}: steps.ts exited with ${r.status}`);
    continue;
  }
  const x = JSON.parse(r.stdout.trim().split('\n').pop()!);
  console.log(`\n  ${protocol} (${x.dataset}, ${x.trainRows} training windows, K = ${x.negatives}): median ms per step`);
  console.log(`    teacher (DNN, EM, SGD + MCC)  ${fmt(x.teacherStepMs)}`);
  for (const [m, ms] of Object.entries(x.studentStepMs as Record<string, number>)) {
    const target = protocol === 'cross-subject' && m === 'cmcrd' && !tiny ? `  (H200 target ≤ 5 ms: ${(ms as number) <= 5 ? 'met' : 'MISSED'})` : '';
    console.log(`    student ${m.padEnd(9)}            ${fmt(ms)}${target}`);
  }
  for (const [backbone, byModality] of Object.entries((x.backboneStepMs ?? {}) as Record<string, Record<string, number>>)) {
    console.log(`    ${backbone.padEnd(6)} plain step  eeg ${fmt(byModality.eeg)}  em ${fmt(byModality.em)}`);
  }
  if (x.foldSeconds !== null) {
    const [te, se] = x.foldEpochs as number[];
    const target = te === 50 && se === 40 ? `  (H200 target ≤ 15 s: ${x.foldSeconds <= 15 ? 'met' : 'MISSED'})` : '';
    console.log(`    one within-subject fold, teacher ${te} + CMCRD ${se} epochs: ${x.foldSeconds.toFixed(1)} s${target}`);
  }
}

// 2. Folds per hour against --workers N, all sharing the one GPU (a process and a device each).
const work = mkdtempSync(join(tmpdir(), 'cmcrd-webgpu-bench-'));
const subjects = tiny ? ['subject-01', 'subject-02'] : ['subject-01', 'subject-02', 'subject-03', 'subject-04', 'subject-05', 'subject-06', 'subject-07', 'subject-08'];
const cells: RunInput[] = ['eeg-only', 'cmcrd'].map((method) => ({
  dataset: tiny ? 'synthetic-seed-v' : 'synthetic-seed-iv',
  method,
  seed: 1,
  epochs: tiny ? 1 : 40,
  warmupEpochs: tiny ? 0 : 10,
  teacherEpochs: tiny ? 1 : 50,
  folds: subjects,
}));
const perHour: Record<number, number> = {};
const counts = tiny ? [1, 2] : [1, 2, 4, 8];
for (const workers of counts) {
  process.stderr.write(`bench: webgpu, ${cells.length * subjects.length} folds with ${workers} worker(s) …\n`);
  const store = Store.open(join(work, `w${workers}.sqlite`));
  try {
    const t0 = performance.now();
    const s = await executeJobs(expandJobs(cells).jobs, store, { workers, backend: 'webgpu' });
    const seconds = (performance.now() - t0) / 1000;
    if (s.failed) console.log(`  ${workers} worker(s): ${s.failed} fold(s) failed`);
    perHour[workers] = (3600 * s.finished) / seconds;
  } finally {
    store.close();
  }
}
console.log(`\n  folds/hour against --workers N sharing the GPU (${cells.length * subjects.length} folds: eeg-only and CMCRD, ${cells[0].dataset} within-subject, ${cells[0].teacherEpochs}/${cells[0].epochs} epochs)`);
for (const n of counts) console.log(`    N = ${n}: ${perHour[n].toFixed(0)} folds/hour (${(perHour[n] / perHour[1]).toFixed(2)}× one worker)`);
const bestN = counts.reduce((b, n) => (perHour[n] > perHour[b] ? n : b), 1);

// 3. The paper sweep's dry-run estimate, measured on webgpu (the backend that would run its folds).
const paper = process.env.CMCRD_PAPER_SWEEP ?? resolve(here, '../../../sweeps/paper.yaml');
const spec = loadSweepFile(paper);
const all = expandJobs(expandSweep(spec, { real: false })).jobs;
// Tiny: one dataset's within-subject DNN folds only (every kind of fold on lavapipe would take long).
const jobs = tiny ? all.filter((j) => j.input.protocol === 'within-subject' && j.input.backbone === 'dnn' && j.input.dataset === all[0].input.dataset) : all;
const store = Store.open(join(work, 'estimate.sqlite'));
try {
  process.stderr.write(`bench: webgpu dry-run estimate of ${paper} …\n`);
  const e = await estimateSweep(jobs, store, { workers: 1, backend: 'webgpu', calibrationSteps: tiny ? 1 : 8 });
  const hours = e.seconds / 3600;
  const speedup = perHour[bestN] / perHour[1];
  const shared = hours / speedup;
  console.log(`\n  paper sweep (${e.folds} folds${tiny ? ` of ${all.length}: one dataset's within-subject DNN folds` : ''}), dry-run estimate on webgpu: ${hours.toFixed(1)} GPU-hours on one worker;` +
    ` ${shared.toFixed(1)} h with --workers ${bestN} sharing the GPU (measured ${speedup.toFixed(2)}× above)${tiny ? '' : `  (H200 target ≤ 100 GPU-hours: ${shared <= 100 ? 'met' : 'MISSED'})`}`);
} finally {
  store.close();
}
