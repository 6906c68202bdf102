import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ROW_CHECKS, checkDistillerPlugin, selectBackend, tf } from '@cmcrd/core';
import * as bad from './fixtures/check-failures.js';
import at from './fixtures/outside-at.js';

const here = fileURLToPath(new URL('.', import.meta.url));
await selectBackend('wasm');

/** The checks that failed, over every row, and the general ones. */
async function failed(candidate: unknown): Promise<string[]> {
  const r = await checkDistillerPlugin(candidate, { backbones: ['dnn'], steps: 2 });
  const rows = r.rows.flatMap((row) => Object.entries(row.failures).filter(([, v]) => v).map(([k]) => k));
  const general = Object.entries(r.general).filter(([, v]) => v).map(([k]) => k);
  return [...new Set([...general, ...rows])].sort();
}

test('a sound plugin passes every check on every backbone and direction, leaving nothing behind', async () => {
  const tensors = tf.memory().numTensors;
  const variables = Object.keys(tf.engine().registeredVariables).length;
  const r = await checkDistillerPlugin(at, { steps: 2 });
  assert.equal(r.ok, true, JSON.stringify(r, null, 1));
  assert.deepEqual(r.rows.map((x) => `${x.backbone} ${x.direction}`), ['dnn em->eeg', 'dnn eeg->em', 'dgcnn em->eeg', 'dgcnn eeg->em', 'bihdm em->eeg', 'bihdm eeg->em']);
  for (const row of r.rows) {
    assert.ok(Number.isFinite(row.loss) && row.loss > 0);
    assert.deepEqual(Object.keys(row.failures).sort(), [...ROW_CHECKS].sort());
    assert.ok(row.stepTimeRatio! > 0);
  }
  assert.equal(tf.memory().numTensors, tensors);
  assert.equal(Object.keys(tf.engine().registeredVariables).length, variables);
});

test('each way of breaking the contract fails its own check, and only that one', async () => {
  assert.deepEqual(await failed(bad.leaky), ['no leak']);
  assert.deepEqual(await failed(bad.unseeded), ['same seed']);
  assert.deepEqual(await failed(bad.deadVariable), ['grad → variables']);
  assert.deepEqual(await failed(bad.teacherOnly), ['grad → student']);
  assert.deepEqual(await failed(bad.lax), ['strict options']);
  assert.deepEqual(await failed(bad.keepsVariable), ['dispose']);
  assert.deepEqual(await failed({ name: 'x', options: 1 }), ['contract']);
});

test('cmcrd plugin check prints the table and exits 0 for a sound plugin, 1 when a check fails', () => {
  const cli = resolve(here, '../../../apps/cli/src/cmcrd.ts');
  const run = (module: string) =>
    spawnSync(process.execPath, ['--conditions=@cmcrd/source', '--import', 'tsx', cli, 'plugin', 'check', module, '--backbone', 'dnn', '--backend', 'wasm'], { cwd: here, encoding: 'utf8', env: { ...process.env, INIT_CWD: here } });
  const good = run('./fixtures/outside-at.ts');
  assert.equal(good.status, 0, good.stderr);
  assert.match(good.stdout, /│ dnn +│ em->eeg +│ [\d.]+ +│ ok +│ ok +│ ok +│ ok +│ ok +│ ok +│ ok +│ ×[\d.]+ eeg-only/);
  assert.match(good.stdout, /all checks passed/);
  const leaky = run('./fixtures/check-failures.ts');
  assert.equal(leaky.status, 1);
  assert.match(leaky.stdout, /FAIL dnn em->eeg no leak: 1 tensor\(s\) left behind per step/);
});
