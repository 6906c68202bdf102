import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfigError, loadBuiltins, resolveRun } from '../src/index.js';

loadBuiltins();
const base = { dataset: 'synthetic-seed-iv', method: 'cmcrd' };

function rejects(input: Record<string, unknown>, pattern: RegExp) {
  assert.throws(
    () => resolveRun(input as never),
    (e: Error) => e instanceof ConfigError && pattern.test(e.message),
    `expected ConfigError matching ${pattern}`,
  );
}

test('unknown names are errors that name them and list the known ones', () => {
  rejects({ ...base, dataset: 'seed-vii' }, /unknown dataset 'seed-vii' \(known: synthetic-seed/);
  rejects({ ...base, method: 'magic' }, /unknown method 'magic' \(known: eeg-only, em-only, fusion, cmcrd, crd, fitnet, kd, nst, pkt, rkd, sp\)/);
  rejects({ ...base, backbone: 'resnet' }, /unknown backbone 'resnet' \(known: dnn/);
  rejects({ ...base, direction: 'eeg<-em' }, /unknown direction 'eeg<-em' \(known: em->eeg, eeg->em\)$/);
  // Unquoted, `--direction em->eeg` reaches us cut at '>' (the shell redirected the output to a file 'eeg').
  rejects({ ...base, direction: 'em-' }, /unknown direction 'em-' \(known: em->eeg, eeg->em\): the shell cut em->eeg at '>'.*a file named 'eeg'.*quote it: --direction 'em->eeg'$/);
  rejects({ ...base, direction: 'eeg-' }, /the shell cut eeg->em at '>'.*a file named 'em'.*quote it: --direction 'eeg->em'$/);
  rejects({ ...base, protocol: 'leave-two-out' }, /leave-two-out/);
  rejects({ ...base, folds: ['subject-99'] }, /unknown fold 'subject-99'/);
});

test('options out of range name the option', () => {
  rejects({ ...base, epochs: 0 }, /epochs/);
  rejects({ ...base, seed: -1 }, /seed/);
  rejects({ ...base, options: { temperature: -1 } }, /options of 'cmcrd': temperature/);
  rejects({ ...base, options: { bogus: 1 } }, /bogus/);
  rejects({ ...base, protocolOptions: { normalisation: 'magic' } }, /normalisation/);
  rejects({ ...base, unknownKey: 1 }, /unknownKey/);
  rejects({ ...base, epochs: 5, warmupEpochs: 10 }, /warmupEpochs/);
  rejects({ dataset: 'synthetic-seed-iv', method: 'eeg-only', options: { us: false } }, /takes no options/);
});

test('CMCRD takes the paper K of the dataset and protocol unless given', () => {
  assert.equal(resolveRun({ ...base, protocol: 'within-subject' }).method.options.negatives, 1200);
  assert.equal(resolveRun({ ...base, protocol: 'cross-subject' }).method.options.negatives, 25000);
  assert.equal(resolveRun({ ...base, dataset: 'synthetic-seed', protocol: 'cross-subject' }).method.options.negatives, 21000);
  assert.equal(resolveRun({ ...base, options: { negatives: 64 } }).method.options.negatives, 64);
});

test('all 8 MCC/US/IEW combinations resolve, and the mcc switch reaches the teacher', () => {
  for (const mcc of [false, true]) {
    for (const us of [false, true]) {
      for (const iew of [false, true]) {
        const r = resolveRun({ ...base, options: { mcc, us, iew } });
        assert.deepEqual([r.method.options.mcc, r.method.options.us, r.method.options.iew], [mcc, us, iew]);
        assert.equal(r.method.teacherMcc, mcc);
      }
    }
  }
});

test('directions decide which modality is taught and tested', () => {
  const a = resolveRun({ ...base, direction: 'em->eeg' });
  assert.deepEqual([a.method.teacherModality, a.method.testModality], ['em', 'eeg']);
  const b = resolveRun({ ...base, direction: 'eeg->em' });
  assert.deepEqual([b.method.teacherModality, b.method.testModality], ['eeg', 'em']);
  const u = resolveRun({ dataset: 'synthetic-seed-iv', method: 'em-only' });
  assert.deepEqual([u.method.direction, u.method.teacherModality, u.method.testModality], ['none', null, 'em']);
});

test('SEED runs over the 12 subjects that have eye movements', () => {
  assert.equal(resolveRun({ ...base, dataset: 'synthetic-seed' }).folds.length, 12);
  assert.equal(resolveRun({ ...base, dataset: 'synthetic-seed-v', protocol: 'cross-subject' }).folds.length, 16);
});

test('every distiller is selectable by name in both directions, with the dataset K where it takes one', () => {
  for (const method of ['kd', 'fitnet', 'nst', 'sp', 'rkd', 'pkt', 'crd', 'cmcrd']) {
    for (const [direction, teacher, student] of [
      ['em->eeg', 'em', 'eeg'],
      ['eeg->em', 'eeg', 'em'],
    ]) {
      const r = resolveRun({ ...base, method, direction });
      assert.deepEqual([r.method.name, r.method.teacherModality, r.method.testModality], [method, teacher, student]);
    }
  }
  assert.equal(resolveRun({ ...base, method: 'crd', protocol: 'cross-subject' }).method.options.negatives, 25000);
  assert.equal(resolveRun({ ...base, method: 'kd' }).method.options.negatives, undefined);
  assert.deepEqual(resolveRun({ ...base, method: 'kd' }).method.options, { temperature: 4, weight: 10 });
  rejects({ ...base, method: 'fusion', options: { weight: 1 } }, /'fusion' takes no options/);
});
