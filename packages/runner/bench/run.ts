// `pnpm bench`: per backend that loads here, median ms per training step of the DNN teacher and
// of the students, and the wall time of one within-subject fold of synthetic SEED-IV (fastest
// backend only, to stay within minutes). Not part of the tests.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { BACKEND_NAMES } from '@cmcrd/core';

const here = fileURLToPath(new URL('.', import.meta.url));
const BASELINES = ['kd', 'fitnet', 'nst', 'sp', 'rkd', 'pkt', 'crd', 'cmcrd'];
/** Issue targets: a baseline's student step ≤ 1.5× the EEG-only step; memory-bank methods ≤ 2×. */
const TARGET_RATIO: Record<string, number> = { crd: 2, cmcrd: 2 };
const rows: Record<string, unknown>[] = [];
let foldDone = false;
// webgpu has its own script (bench/webgpu.ts, below): a software adapter must not run these sizes.
for (const backend of BACKEND_NAMES.filter((b) => b !== 'webgpu')) {
  const fold = !foldDone && (backend === 'wasm' || backend.startsWith('tensorflow'));
  const started = Date.now();
  process.stderr.write(`bench: ${backend}${fold ? ' (with one full fold)' : ''} …\n`);
  // Every method on the fast backends; on the slow pure-JS one only the two the targets name.
  const methods = backend === 'cpu' ? 'cmcrd' : BASELINES.join(',');
  // Backbone steps on wasm only (the target); the pure-JS backend would take many minutes.
  const backbones = backend === 'cpu' ? 0 : 1;
  const r = spawnSync(process.execPath, [...process.execArgv, `${here}steps.ts`, `--backend=${backend}`, `--fold=${fold ? 1 : 0}`, `--methods=${methods}`, `--backbones=${backbones}`, `--rounds=${backend === 'cpu' ? 1 : 3}`], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  if (r.status !== 0) {
    rows.push({ backend, available: false, reason: `exited with ${r.status}` });
    continue;
  }
  const result = JSON.parse(r.stdout.trim().split('\n').pop()!);
  if (result.available && fold) foldDone = true;
  rows.push({ ...result, wallSeconds: (Date.now() - started) / 1000 });
}

const fmt = (x: unknown) => (typeof x === 'number' ? x.toFixed(2) : '—');
console.log('\nbackend        teacher step (ms)  eeg-only step (ms)  cmcrd step (ms)  one fold (s)');
for (const r of rows) {
  if (!r.available) {
    console.log(`${String(r.backend).padEnd(15)}not available here (${r.reason})`);
    continue;
  }
  const s = r.studentStepMs as Record<string, number>;
  console.log(
    `${String(r.backend).padEnd(15)}${fmt(r.teacherStepMs).padStart(17)}  ${fmt(s['eeg-only']).padStart(18)}  ${fmt(s.cmcrd).padStart(15)}  ${fmt(r.foldSeconds).padStart(12)}`,
  );
}
for (const r of rows) {
  if (!r.available) continue;
  const s = r.studentStepMs as Record<string, number>;
  const base = s['eeg-only'];
  console.log(`\nstudent step per method, DNN, ${r.backend} (median ms; ratio to EEG-only; target)`);
  for (const [m, ms] of Object.entries(s)) {
    const ratio = ms / base;
    const target = m === 'eeg-only' ? null : (TARGET_RATIO[m] ?? 1.5);
    const verdict = target === null ? '' : ratio <= target ? `≤ ${target}× met` : `> ${target}× MISSED`;
    console.log(`  ${m.padEnd(10)}${ms.toFixed(2).padStart(8)}  ${ratio.toFixed(2).padStart(5)}×  ${verdict}`);
  }
}
/** Issue 4 targets: a training step relative to the DNN's on the same modality. */
const BACKBONE_TARGET: Record<string, number> = { dgcnn: 3, bihdm: 6 };
for (const r of rows) {
  const b = r.backboneStepMs as Record<string, Record<string, number>> | undefined;
  if (!r.available || !b || !b.dnn) continue;
  const dims = r.dims as { eeg: number; em: number };
  console.log(`\ntraining step per backbone × modality, ${r.backend} (median ms; ratio to the DNN on the same modality; target)`);
  for (const [backbone, byModality] of Object.entries(b)) {
    for (const [modality, ms] of Object.entries(byModality)) {
      const ratio = ms / b.dnn[modality];
      const target = BACKBONE_TARGET[backbone];
      const verdict = target === undefined ? '' : ratio <= target ? `≤ ${target}× met` : `> ${target}× MISSED`;
      const input = `${modality} (${dims[modality as 'eeg' | 'em']})`;
      console.log(`  ${backbone.padEnd(7)}${input.padEnd(10)}${ms.toFixed(2).padStart(8)}  ${ratio.toFixed(2).padStart(5)}×  ${verdict}`);
    }
  }
}

const any = rows.find((r) => r.available) as { trainRows: number; negatives: number } | undefined;
if (any) {
  console.log(
    `\nmedian over steps after each run's first epoch, runs interleaved in rounds (3; 1 on cpu); synthetic SEED-IV subject-01 within-subject (${any.trainRows} training windows, K=${any.negatives});` +
      '\nteacher: DNN on eye movements, SGD + MCC; students: DNN on EEG, AdamW; one fold = teacher 50 epochs + CMCRD student 40 epochs.',
  );
}

// Issue 15: the webgpu rows (hardware adapter only; `bench/webgpu.ts --tiny` checks them anywhere).
process.stderr.write('bench: webgpu …\n');
spawnSync(process.execPath, [...process.execArgv, `${here}webgpu.ts`], { stdio: ['ignore', 'inherit', 'inherit'] });

// Issue 5: importing a full-size release and loading it back (its own process; prints its own lines).
process.stderr.write('bench: import of a full-size SEED-IV release …\n');
spawnSync(process.execPath, [...process.execArgv, `${here}import-release.ts`], { stdio: ['ignore', 'inherit', 'inherit'] });

// Issue 6: local workers' throughput, the coordinator's overhead and a worker's memory.
process.stderr.write('bench: sweeps …\n');
spawnSync(process.execPath, [...process.execArgv, `${here}sweep-scale.ts`], { stdio: ['ignore', 'inherit', 'inherit'] });

// Issue 7: every report table from a store of 100,000 folds.
process.stderr.write('bench: report tables …\n');
spawnSync(process.execPath, [...process.execArgv, `${here}report-tables.ts`], { stdio: ['ignore', 'inherit', 'inherit'] });
