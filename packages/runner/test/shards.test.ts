import assert from 'node:assert/strict';
import { test } from 'node:test';
import { expandJobs, type FoldJob } from '../src/jobs.js';
import { loadBuiltins } from '../src/plugins.js';
import { parseShard, ShardSpecError, shardJobs, shardUnits, splitIntoShards, suggestedShards, unitCost } from '../src/shards.js';
import { arraySpec, parseSlurmTime, sh, slurmTime } from '../src/slurm.js';
import { expandSweep, parseSweep } from '../src/sweep-file.js';

loadBuiltins();

/** Two datasets, both protocols' folds, both directions, fusion and a teacher-less reference, two backbones. */
const SWEEP = [
  'name: split',
  'defaults:',
  '  epochs: 2',
  '  teacherEpochs: 2',
  'grids:',
  '  - dataset: [synthetic-seed-iv, synthetic-seed]',
  '    protocol: within-subject',
  '    backbone: [dnn, dgcnn]',
  '    direction: [em->eeg, eeg->em]',
  '    method: [eeg-only, fusion, kd, cmcrd]',
  '    folds: [subject-01, subject-02, subject-03, subject-05, subject-08]',
  '  - dataset: [synthetic-seed-iv, synthetic-seed]',
  '    protocol: cross-subject',
  '    backbone: [dnn, dgcnn]',
  '    direction: [em->eeg, eeg->em]',
  '    method: [eeg-only, fusion, kd, cmcrd]',
  '    folds: [loso-01, loso-02, loso-03, loso-05, loso-08]',
  '',
].join('\n');

const jobsOf = (text: string): FoldJob[] => expandJobs(expandSweep(parseSweep(text, 'split.yaml'))).jobs;

test('every fold lands in exactly one shard, for every shard count', () => {
  const jobs = jobsOf(SWEEP);
  assert.ok(jobs.length > 200, `${jobs.length} jobs`);
  for (const n of [1, 2, 3, 7, 16, 64, 1000]) {
    const shards = splitIntoShards(jobs, n);
    assert.equal(shards.length, n);
    const seen = shards.flat().map((j) => j.configHash);
    assert.equal(seen.length, jobs.length, `n=${n}`);
    assert.deepEqual(new Set(seen), new Set(jobs.map((j) => j.configHash)), `n=${n}`);
  }
});

test('a teacher is never split over two shards, nor are the folds of a group that use no teacher', () => {
  const jobs = jobsOf(SWEEP);
  for (const n of [2, 5, 16, 40, 200]) {
    const shardOf = new Map<string, number>();
    splitIntoShards(jobs, n).forEach((shard, i) => {
      for (const j of shard) {
        // eeg-only, em-only and fusion (which reuses their models) of one group stay together.
        for (const key of [j.teacherKey ? `t:${j.teacherKey}` : `g:${j.groupKey}`]) {
          const was = shardOf.get(key);
          assert.ok(was === undefined || was === i, `${key} in shards ${was} and ${i} (n=${n})`);
          shardOf.set(key, i);
        }
      }
    });
  }
});

test('the split is stable: the same jobs and count give the same shards, in the sweep order, whatever came before', () => {
  const a = splitIntoShards(jobsOf(SWEEP), 7).map((s) => s.map((j) => j.configHash));
  const b = splitIntoShards(jobsOf(SWEEP), 7).map((s) => s.map((j) => j.configHash));
  assert.deepEqual(a, b);
  // shardJobs is the same split, one shard at a time (as each array task computes it).
  const jobs = jobsOf(SWEEP);
  for (let i = 1; i <= 7; i++) assert.deepEqual(shardJobs(jobs, { index: i, count: 7 }).map((j) => j.configHash), a[i - 1]);
  // Within a shard, the sweep's own order.
  const order = new Map(jobs.map((j, i) => [j.configHash, i]));
  for (const s of a) for (let k = 1; k < s.length; k++) assert.ok(order.get(s[k - 1])! < order.get(s[k])!);
});

test('the shards are balanced by training steps, not by fold counts', () => {
  const jobs = jobsOf(SWEEP);
  const units = shardUnits(jobs);
  // 40 fold groups (5 folds × 2 protocols × 2 datasets × 2 backbones), each in three units: the
  // folds without a teacher, those of the EM teacher and those of the EEG teacher.
  assert.equal(units.length, 120);
  assert.ok(units.every((u) => new Set(u.map((j) => j.teacherKey)).size === 1));
  const shards = splitIntoShards(jobs, 4);
  // Cross-subject folds train on ~14× more rows than within-subject ones: the shards' step totals
  // stay within the largest unit of each other (the greedy bound)...
  const totals = shards.map((s) => shardUnits(s).reduce((t, u) => t + unitCost(u), 0));
  const costs = units.map(unitCost);
  assert.ok(Math.max(...costs) > 5 * Math.min(...costs), `${costs}`);
  assert.ok(Math.max(...totals) - Math.min(...totals) <= Math.max(...costs), `${totals} vs ${Math.max(...costs)}`);
  // ...and a cross-subject unit costs what several within-subject ones do.
  const of = (protocol: string) => units.filter((u) => u[0].config.protocol === protocol && u[0].teacherKey !== null).map(unitCost);
  const [cross, within] = [of('cross-subject'), of('within-subject')];
  assert.ok(Math.min(...cross) > 5 * Math.max(...within), `${cross} / ${within}`);
});

test('more shards than units leaves the extra shards empty', () => {
  const jobs = jobsOf(SWEEP.replace('[subject-01, subject-02, subject-03, subject-05, subject-08]', '[subject-01]').replace('[loso-01, loso-02, loso-03, loso-05, loso-08]', '[loso-01]'));
  const shards = splitIntoShards(jobs, 40);
  assert.equal(shards.filter((s) => s.length > 0).length, shardUnits(jobs).length);
  assert.equal(suggestedShards(jobs, 256, 4), shardUnits(jobs).length);
  assert.equal(suggestedShards(jobsOf(SWEEP), 16, 4), 4);
});

test('--shard I/N is parsed, and refused out of range', () => {
  assert.deepEqual(parseShard('3/16'), { index: 3, count: 16 });
  assert.deepEqual(parseShard(' 1 / 1 '), { index: 1, count: 1 });
  for (const bad of ['0/4', '5/4', '1/0', '2', 'a/b', '-1/4', '1/4/2']) {
    assert.throws(() => parseShard(bad), (e: unknown) => e instanceof ShardSpecError && e.message.includes(`'${bad}'`), bad);
  }
});

test('Slurm formats: array specs, time limits, shell quoting', () => {
  assert.equal(arraySpec([1, 2, 3, 4]), '1-4');
  assert.equal(arraySpec([7, 1, 2, 9, 10, 3]), '1-3,7,9-10');
  assert.equal(arraySpec([2], 8), '2%8');
  assert.equal(slurmTime(30), '00:01:00');
  assert.equal(slurmTime(3600 * 5 + 61), '05:02:00');
  assert.equal(slurmTime(86400 * 2 + 3600), '2-01:00:00');
  assert.equal(parseSlurmTime('90'), 5400);
  assert.equal(parseSlurmTime('10:30'), 630);
  assert.equal(parseSlurmTime('02:00:00'), 7200);
  assert.equal(parseSlurmTime('1-02'), 93600);
  assert.equal(parseSlurmTime('1-00:00:10'), 86410);
  assert.equal(parseSlurmTime('soon'), null);
  assert.equal(sh('results/shards/a.sqlite'), 'results/shards/a.sqlite');
  assert.equal(sh("it's here"), `'it'\\''s here'`);
  assert.equal(sh('em->eeg'), `'em->eeg'`);
});
