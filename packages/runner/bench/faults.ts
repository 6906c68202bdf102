// Issue 17's fault-injection figures: kill -9 at random moments of sweeps, at least 20 times —
// the coordinator, one of its worker processes, or one of two coordinators sharing the store, in
// turn — each followed by a re-run of what the kill left. Prints kills survived, folds lost, folds
// duplicated and trainings wasted. About half an hour on two busy cores, so `pnpm bench` leaves it
// out; run it alone: `pnpm --filter @cmcrd/runner bench:faults [kills=21] [seed]`.
// Also times the quick_check a store gets when `sweep` or `serve` opens it, on 100,000 folds.
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Store } from '@cmcrd/store';
import { writePaperShapedStore } from '@cmcrd/store/testing';
import { inspectStore, writeTinySweep } from '../test/fault-helpers.js';
import { KILL_KINDS, doneFolds, killRound, prng, startSweep, trainedTwice } from '../test/kill-harness.js';

const KILLS = Number(process.argv[2] ?? 21);
const SEED = Number(process.argv[3] ?? Date.now() % 100_000);
const random = prng(SEED);
const env = { CMCRD_CLAIM_TIMEOUT_MS: '3000' };
const dir = mkdtempSync(join(tmpdir(), 'cmcrd-bench-faults-'));

let kills = 0;
let survived = 0;
let lost = 0;
let duplicated = 0;
let wasted = 0;
let rounds = 0;
const started = Date.now();
console.log(`\nfault injection: ${KILLS} kill -9 at random moments (seed ${SEED}), sweeps of 8 tiny folds, 2 workers each`);
try {
  let sweep = 0;
  while (kills < KILLS) {
    // A fresh store per sweep; several kills per sweep until it is done.
    sweep++;
    const file = join(dir, `s${sweep}.yaml`);
    const db = join(dir, `s${sweep}.sqlite`);
    const folds = writeTinySweep(file, 4, `bench-${sweep}`);
    const outputs: string[] = [];
    const killsBefore = kills;
    let storeLost = 0;
    while (kills < KILLS && doneFolds(db).size < folds) {
      const kind = KILL_KINDS[rounds++ % KILL_KINDS.length];
      const atMs = Math.floor(random() * 4000);
      const r = await killRound(kind, file, db, atMs, env);
      outputs.push(...r.outputs);
      if (!r.killed) continue;
      kills++;
      storeLost += r.lost;
      wasted += r.cutShort;
      process.stderr.write(`  kill ${kills}: ${kind}, ${atMs} ms after the first fold stored; ${r.cutShort} training(s) cut short\n`);
    }
    // What the kills left, run to the end.
    const rerun = startSweep(file, db, { env });
    const code = await rerun.exited;
    outputs.push(rerun.out());
    const state = inspectStore(db);
    const twice = outputs.map(trainedTwice).reduce((a, b) => a + b, 0);
    const rowsDuplicated = [...state.doneBySweepFold.values()].filter((n) => n > 1).length;
    const missing = folds - state.doneBySweepFold.size;
    duplicated += twice + rowsDuplicated;
    wasted += twice;
    lost += storeLost + missing;
    const ok = code === 0 && state.integrity === 'ok' && missing === 0 && rowsDuplicated === 0 && storeLost === 0 && state.claims === 0;
    if (ok) survived += kills - killsBefore;
    else console.log(`  sweep ${sweep} NOT intact: exit ${code}, integrity ${state.integrity}, ${missing} missing, ${rowsDuplicated} duplicated rows, ${storeLost} lost`);
  }
  const minutes = ((Date.now() - started) / 60_000).toFixed(1);
  console.log(`  kills survived: ${survived}/${kills}`);
  console.log(`  folds lost: ${lost}`);
  console.log(`  folds duplicated: ${duplicated} (trained to the end twice, or stored twice)`);
  console.log(`  trainings wasted: ${wasted} (fold processes killed or orphaned mid-fold, plus folds trained twice), in ${minutes} min`);

  // The quick_check of a store that `sweep` and `serve` open.
  const big = join(dir, 'big.sqlite');
  const { folds } = writePaperShapedStore(big, 18);
  const t = performance.now();
  Store.open(big, { verify: true }).close();
  console.log(
    `  quick_check when opened: ${(performance.now() - t).toFixed(0)} ms for a store of ${folds.toLocaleString('en-US')} folds (${(statSync(big).size / 1e6).toFixed(0)} MB)`,
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
