import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { main } from '../src/cli.js';
import { machineId } from '../src/estimate.js';
import { Store } from '@cmcrd/store';

const work = mkdtempSync(join(tmpdir(), 'cmcrd-dry-run-'));
after(() => rmSync(work, { recursive: true, force: true }));

const SWEEP = `name: dry-timings
defaults:
  dataset: synthetic-seed-iv
  epochs: 2
  warmupEpochs: 1
  teacherEpochs: 2
grids:
  - method: [eeg-only, kd, crd]
    folds: [subject-01, subject-02]
`;

async function dryRun(file: string, db: string): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const log = console.log;
  const write = process.stderr.write.bind(process.stderr);
  console.log = (...a: unknown[]) => out.push(a.join(' '));
  process.stderr.write = ((chunk: string) => err.push(String(chunk)) > 0) as typeof process.stderr.write;
  try {
    const code = await main(['node', 'cmcrd', 'sweep', file, '--db', db, '--dry-run', '--workers', '2', '--backend', 'wasm']);
    return { code, out: out.join('\n'), err: err.join('') };
  } finally {
    console.log = log;
    process.stderr.write = write;
  }
}

test('a second dry run reuses the step times the first kept in the store, timing nothing', { timeout: 180_000 }, async () => {
  const file = join(work, 'sweep.yaml');
  const db = join(work, 'store.sqlite');
  writeFileSync(file, SWEEP);

  const first = await dryRun(file, db);
  assert.equal(first.code, 0, first.err);
  // eeg-only, kd and crd students (crd's memory bank makes it a kind per dataset and protocol), one EM teacher.
  assert.match(first.out, /0 kinds kept from an earlier dry run, 0 from earlier folds, 4 timed now/);
  assert.match(first.err, /timing round 1\/3: 4 kinds of fold/);
  assert.match(first.err, /timing round 3\/3/, 'the kinds are timed in interleaved rounds');
  assert.match(first.out, /estimated training time: \S.* on one worker, .* on 2 worker\(s\) at this machine's load while timing; .* on 2 idle cores/);
  assert.match(first.out, /one within-subject fold on one worker \(student training\): .* \([a-z-]+( em->eeg)? · synthetic-seed-iv · within-subject · dnn\) to /);

  const store = Store.openExisting(db);
  const kept = store.stepTimesOf(machineId(), 'wasm');
  store.close();
  assert.equal(kept.size, 4);
  for (const [kind, t] of kept) {
    assert.ok(t.lowMs > 0 && t.lowMs <= t.msPerStep && t.msPerStep <= t.highMs, `${kind}: ${t.lowMs} ≤ ${t.msPerStep} ≤ ${t.highMs}`);
    assert.ok(t.steps >= 3, `${kind}: ${t.steps} timed steps over 3 rounds`);
    // wasm computes on this process's thread: its CPU time per step is kept (an idle core's step time).
    assert.ok(t.cpuMs !== null && t.cpuMs > 0, `${kind}: CPU ms ${t.cpuMs}`);
  }

  const second = await dryRun(file, db);
  assert.equal(second.code, 0, second.err);
  assert.match(second.out, /4 kinds kept from an earlier dry run, 0 from earlier folds, 0 timed now/);
  assert.doesNotMatch(second.err, /timing round/);
  // The same figures, so the same estimate.
  const estimate = (s: string) => /estimated training time: (.*)/.exec(s)?.[1];
  assert.equal(estimate(second.out), estimate(first.out));
  const again = Store.openExisting(db);
  assert.deepEqual(again.stepTimesOf(machineId(), 'wasm'), kept, 'nothing re-timed or rewritten');
  again.close();
});

test('dry run of a sweep file with an error: exit 2, no store written', async () => {
  const file = join(work, 'bad.yaml');
  writeFileSync(file, SWEEP.replace('crd]', 'bogus]'));
  const db = join(work, 'never.sqlite');
  const r = await dryRun(file, db);
  assert.equal(r.code, 2);
  assert.equal((await import('node:fs')).existsSync(db), false);
});
