import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DATASET_NAMES, datasetSpec, loadDataset, UnknownDatasetError } from '../src/index.js';

// The label sequences of DESIGN.md section 5, written out again here on purpose (not imported).
const SEED_LABEL = [1, 0, -1, -1, 0, 1, -1, 0, 1, 1, 0, -1, 0, 1, -1];
const SEED_IV = [
  '1 2 3 0 2 0 0 1 0 1 2 1 1 1 2 3 2 2 3 3 0 3 0 3',
  '2 1 3 0 0 2 0 2 3 3 2 3 2 0 1 1 2 1 0 3 0 1 3 1',
  '1 2 2 1 3 3 3 1 1 2 1 0 2 3 3 0 2 3 0 0 2 0 1 0',
].map((s) => s.split(' ').map(Number));
const SEED_V = [
  [4, 1, 3, 2, 0, 4, 1, 3, 2, 0, 4, 1, 3, 2, 0],
  [2, 1, 3, 0, 4, 4, 0, 3, 2, 1, 3, 4, 1, 2, 0],
  [2, 1, 3, 0, 4, 4, 0, 3, 2, 1, 3, 4, 1, 2, 0],
];

describe('dataset specs', () => {
  it('lists the three synthetic presets', () => {
    assert.deepEqual([...DATASET_NAMES], ['synthetic-seed', 'synthetic-seed-iv', 'synthetic-seed-v']);
  });

  it('SEED: 15 subjects (EM for 1..12), 3 x 15 trials, first 9 train, 3 classes, 310/33 dims', () => {
    const s = datasetSpec('synthetic-seed');
    assert.equal(s.family, 'seed');
    assert.equal(s.synthetic, true);
    assert.equal(s.subjects, 15);
    assert.deepEqual(s.emSubjects, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    assert.equal(s.sessions, 3);
    assert.equal(s.trialsPerSession, 15);
    assert.equal(s.trainTrialsPerSession, 9);
    assert.deepEqual(s.classNames, ['negative', 'neutral', 'positive']);
    assert.equal(s.numClasses, 3);
    assert.equal(s.eegDim, 310);
    assert.equal(s.emDim, 33);
    assert.deepEqual(s.windowsPerTrialRange, [185, 265]);
    assert.deepEqual(s.negatives, { within: 900, cross: 21000 });
    // label.mat, mapped +1, identical for every session
    for (const labels of s.sessionLabels)
      assert.deepEqual(
        labels,
        SEED_LABEL.map((l) => l + 1),
      );
    assert.equal(s.sessionLabels.length, 3);
  });

  it('SEED-IV: 15 subjects, 3 x 24 trials, first 16 train, 4 classes, 31 EM dims, per-session labels', () => {
    const s = datasetSpec('synthetic-seed-iv');
    assert.equal(s.family, 'seed-iv');
    assert.equal(s.subjects, 15);
    assert.deepEqual(
      s.emSubjects,
      Array.from({ length: 15 }, (_, i) => i + 1),
    );
    assert.equal(s.trialsPerSession, 24);
    assert.equal(s.trainTrialsPerSession, 16);
    assert.deepEqual(s.classNames, ['neutral', 'sad', 'fear', 'happy']);
    assert.equal(s.numClasses, 4);
    assert.equal(s.emDim, 31);
    assert.deepEqual(s.sessionLabels, SEED_IV);
    assert.deepEqual(s.windowsPerTrialRange, [12, 64]);
    assert.deepEqual(s.negatives, { within: 1200, cross: 25000 });
  });

  it('SEED-V: 16 subjects, 3 x 15 trials, first 10 train, 5 classes, 33 EM dims', () => {
    const s = datasetSpec('synthetic-seed-v');
    assert.equal(s.family, 'seed-v');
    assert.equal(s.subjects, 16);
    assert.equal(s.emSubjects.length, 16);
    assert.equal(s.trialsPerSession, 15);
    assert.equal(s.trainTrialsPerSession, 10);
    assert.deepEqual(s.classNames, ['disgust', 'fear', 'sad', 'neutral', 'happy']);
    assert.equal(s.numClasses, 5);
    assert.equal(s.emDim, 33);
    assert.deepEqual(s.sessionLabels, SEED_V);
    assert.deepEqual(s.windowsPerTrialRange, [20, 65]);
    assert.deepEqual(s.negatives, { within: 900, cross: 17000 });
  });

  it('every class appears in every session, equally often', () => {
    for (const name of DATASET_NAMES) {
      const s = datasetSpec(name);
      for (const labels of s.sessionLabels) {
        const counts = new Array(s.numClasses).fill(0);
        for (const l of labels) counts[l]++;
        assert.ok(
          counts.every((c) => c === s.trialsPerSession / s.numClasses),
          `${name}: ${counts}`,
        );
      }
    }
  });

  it('specs are frozen (shared by every dataset)', () => {
    const s = datasetSpec('synthetic-seed');
    assert.throws(() => {
      (s as { subjects: number }).subjects = 3;
    }, TypeError);
    assert.throws(() => {
      s.sessionLabels[0][0] = 2;
    }, TypeError);
  });

  it('an unknown name throws UnknownDatasetError naming it and the known ones', () => {
    for (const call of [() => datasetSpec('seed-vi'), () => loadDataset('seed-vi')]) {
      assert.throws(call, (err: unknown) => {
        assert.ok(err instanceof UnknownDatasetError);
        assert.match(err.message, /"seed-vi"/);
        for (const name of DATASET_NAMES) assert.ok(err.message.includes(name), err.message);
        return true;
      });
    }
  });
});
