// `cmcrd sweep --shard`, `--slurm --print` and their refusals, without a scheduler (test/slurm.test.ts
// runs real arrays).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { runCli, writeTinySweep } from './fault-helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'cmcrd-shard-cli-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const sweep = join(dir, 'tiny.yaml');
writeTinySweep(sweep, 4);

test('--shard I/N out of range, --main-db without --shard: exit 2 naming the option, nothing written', async () => {
  const db = join(dir, 'refused.sqlite');
  for (const [args, what] of [
    [['--shard', '5/4'], /--shard: '5\/4' is not I\/N/],
    [['--shard', 'two'], /--shard: 'two'/],
    [['--main-db', join(dir, 'm.sqlite')], /--main-db is for a shard/],
  ] as const) {
    const r = await runCli(['sweep', sweep, '--db', db, ...args]);
    assert.equal(r.code, 2, r.out);
    assert.match(r.out, what);
  }
  assert.equal(existsSync(db), false);
});

test('a shard task stops with exit 2 when its data is another revision than the submission resolved', async () => {
  const db = join(dir, 'revision.sqlite');
  const r = await runCli(['sweep', sweep, '--shard', '1/2', '--db', db, '--data-revision', 'synthetic-seed-iv=5eed1v0000000000']);
  assert.equal(r.code, 2, r.out);
  assert.match(r.out, /synthetic-seed-iv here .* is revision none, but the sweep was submitted with revision 5eed1v0000000000/);
  assert.equal(existsSync(db), false);
});

test('--slurm --print writes the array and merge scripts without submitting them', async () => {
  const db = join(dir, 'print', 'merged.sqlite');
  const r = await runCli(['sweep', sweep, '--slurm', '--print', '--shards', '4', '--cpus-per-task', '2', '--time', '90', '--partition', 'gpu', '--gpus', '1', '--array-limit', '2', '--db', db], {
    CMCRD_DATA_DIR: join(dir, 'datasets'),
  });
  assert.equal(r.code, 0, r.out);
  assert.match(r.out, /not submitted \(--print\)/);
  const shards = join(dir, 'print', 'shards', 'tiny');
  const array = readFileSync(join(shards, 'array.sbatch'), 'utf8');
  for (const line of [
    '#SBATCH --array=1-4%2',
    '#SBATCH --time=90',
    '#SBATCH --cpus-per-task=2',
    '#SBATCH --partition=gpu',
    '#SBATCH --gpus=1',
    '#SBATCH --signal=B:TERM@120',
    `export CMCRD_DATA_DIR=${join(dir, 'datasets')}`,
  ]) {
    assert.ok(array.includes(line), `${line} missing:\n${array}`);
  }
  assert.match(array, /exec .* sweep .*tiny\.yaml --retries 1 --data-revision synthetic-seed-iv=none --shard "\$task\/4" --db .*\/"\$task\.sqlite" --main-db .*merged\.sqlite --workers "\$\{SLURM_CPUS_PER_TASK:-1\}"/);
  const merge = readFileSync(join(shards, 'merge.sbatch'), 'utf8');
  assert.match(merge, /merge "\$\{shards\[@\]\}" --into .*merged\.sqlite/);
  for (const script of ['array.sbatch', 'merge.sbatch']) {
    const syntax = spawnSync('bash', ['-n', join(shards, script)], { encoding: 'utf8' });
    assert.equal(syntax.status, 0, syntax.stderr);
  }
  // The shard count is kept for the next submission; nothing was submitted, nothing stored.
  assert.equal(JSON.parse(readFileSync(join(shards, 'slurm.json'), 'utf8')).shards, 4);
  assert.equal(existsSync(db), false);
});
