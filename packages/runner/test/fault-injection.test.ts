import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { inspectStore, writeTinySweep } from './fault-helpers.js';
import { KILL_KINDS, killRound, prng, startSweep, trainedTwice } from './kill-harness.js';

// One kill -9 of each kind at a random moment (the seed is in the messages, to replay it), then
// the sweep run again: the store ends with exactly one done row per fold and no corrupt page.
// Store faults (full disk, read-only, zeroed pages) are in store-faults.test.ts; the long
// version with 20 and more kills is bench/faults.ts.

const work = mkdtempSync(join(tmpdir(), 'cmcrd-fault-injection-'));
after(() => rmSync(work, { recursive: true, force: true }));
const seed = Number(process.env.CMCRD_FAULT_SEED ?? Date.now() % 100_000);
const random = prng(seed);
// Claims of a killed coordinator go stale after 3 s here (60 s by default).
const env = { CMCRD_CLAIM_TIMEOUT_MS: '3000' };

describe(`kill -9 at random moments (CMCRD_FAULT_SEED=${seed})`, { timeout: 600_000 }, () => {
  for (const kind of KILL_KINDS) {
    it(`of ${kind === 'worker' ? 'a worker' : kind === 'coordinator' ? 'the coordinator' : kind}: one done row per fold, no corrupt file`, async () => {
      const file = join(work, `${kind.replaceAll(' ', '-')}.yaml`);
      const db = join(work, `${kind.replaceAll(' ', '-')}.sqlite`);
      const folds = writeTinySweep(file, 3);
      // Within a second and a half of the first fold stored: the other five are then still to come.
      const atMs = Math.floor(random() * 1500);
      const round = await killRound(kind, file, db, atMs, env);
      const what = `${kind} killed ${atMs} ms after the first fold (seed ${seed}):\n${round.outputs.join('\n---\n')}`;
      assert.ok(round.killed, `the sweep ended before the kill: ${what}`);
      assert.equal(round.lost, 0, what);
      // Run again what the kill left: exactly the missing folds.
      const doneBefore = inspectStore(db).doneBySweepFold.size;
      const rerun = startSweep(file, db, { env });
      assert.equal(await rerun.exited, 0, rerun.out());
      const ran = Number(/(\d+) fold\(s\) run/.exec(rerun.out())?.[1]);
      assert.equal(ran, folds - doneBefore, `${what}\n--- re-run:\n${rerun.out()}`);
      const state = inspectStore(db);
      assert.equal(state.integrity, 'ok');
      assert.equal(state.doneBySweepFold.size, folds, what);
      assert.ok([...state.doneBySweepFold.values()].every((n) => n === 1), what);
      assert.equal(state.claims, 0);
      assert.deepEqual(state.sweeps, ['finished']);
      assert.equal([...round.outputs, rerun.out()].map(trainedTwice).reduce((a, b) => a + b, 0), 0, `no fold trained twice: ${what}`);
    });
  }
});
