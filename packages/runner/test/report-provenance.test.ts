import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { resolveRun } from '../src/config.js';
import { failedFoldRow } from '../src/fold.js';
import { type ReportOptions, type ReportTable, type TableKind, buildReport, formatReport } from '@cmcrd/reports';
import { Store } from '@cmcrd/store';
import { codeRevision } from '../src/revision.js';
import { CMCRD_DEFAULTS, type FixtureFold, fixtureRow, insertFolds } from '@cmcrd/store/testing';

const work = mkdtempSync(join(tmpdir(), 'cmcrd-provenance-'));
after(() => rmSync(work, { recursive: true, force: true }));
let stores = 0;

function report(kind: TableKind, folds: FixtureFold[], o: ReportOptions = {}): ReportTable[] {
  const store = Store.open(join(work, `s${++stores}.sqlite`));
  try {
    insertFolds(store, folds.map(fixtureRow));
    return buildReport(store, kind, o);
  } finally {
    store.close();
  }
}

const SYN = 'synthetic-seed-iv';
const f = (method: string, i: number, accuracy: number, more: Partial<FixtureFold> = {}): FixtureFold => ({
  dataset: SYN,
  protocol: 'within-subject',
  backbone: 'dnn',
  direction: method === 'eeg-only' || method === 'em-only' || method === 'fusion' ? 'none' : 'em->eeg',
  foldKey: `subject-0${i}`,
  method,
  accuracy,
  ...(method === 'cmcrd' ? { options: CMCRD_DEFAULTS } : method === 'kd' ? { options: { weight: 1 } } : {}),
  ...more,
});

test('every table states its training budget, seeds, backends and code revision, and which differ', () => {
  const folds = [
    f('eeg-only', 1, 0.6),
    f('eeg-only', 2, 0.7, { backend: 'cpu', codeRevision: '' }),
    f('kd', 1, 0.62, { student: { epochs: 4, warmupEpochs: 1 } }),
    f('kd', 2, 0.72, { student: { epochs: 4, warmupEpochs: 1 } }),
    f('cmcrd', 1, 0.65),
    f('cmcrd', 2, 0.75, { seed: 7 }),
  ];
  for (const kind of ['comparison', 'significance', 'fusion', 'timing'] as const) {
    const [t] = report(kind, folds);
    assert.ok(t, kind);
    assert.ok(t.provenance.folds > 0, kind);
    assert.ok(
      t.notes.some((n) => n.startsWith('training budget: student epochs')),
      kind,
    );
    assert.ok(
      t.notes.some((n) => n.startsWith('provenance: ')),
      kind,
    );
  }
  const [t] = report('comparison', folds);
  const p = t.provenance;
  assert.deepEqual(p.budget['student.epochs'].values, [4, 40]);
  assert.deepEqual(p.budget['teacher.epochs'].values, [50]);
  assert.deepEqual(p.options.cmcrd.negatives.values, [1200]);
  assert.deepEqual(p.options.kd.weight.values, [1]);
  assert.deepEqual(
    [p.seeds, p.backends, p.revisions],
    [
      [1, 7],
      ['cpu', 'wasm'],
      ['', 'fixture'],
    ],
  );
  assert.deepEqual(p.differing, ['student epochs', 'warm-up epochs', 'seeds', 'backend', 'code revision']);
  const text = formatReport('comparison', [t], 'text');
  assert.match(
    text,
    /training budget: student epochs 4, 40; warm-up epochs 1, 10; batch size 32; learning rate 0\.001;/,
  );
  assert.match(text, /KD loss weight 1; CMCRD K \(negatives\) 1200, loss weight 0\.8/);
  assert.match(
    text,
    /provenance: 6 fold run\(s\); seeds 1, 7; backend cpu, wasm; code revision unrecorded \(stored before revisions were\), fixture/,
  );
  assert.match(
    text,
    /the folds of this table differ in: student epochs, warm-up epochs, seeds, backend, code revision/,
  );
  const json = JSON.parse(formatReport('comparison', [t], 'json'));
  assert.deepEqual(json.tables[0].provenance.backends, ['cpu', 'wasm']);
  assert.match(formatReport('comparison', [t], 'latex'), /Training budget: student epochs 4, 40;/);
  // One budget: nothing differs, and the table does not say so.
  const [same] = report('comparison', [f('eeg-only', 1, 0.6), f('eeg-only', 2, 0.7)]);
  assert.deepEqual(same.provenance.differing, []);
  assert.ok(same.notes.every((n) => !n.includes('differ in')));
});

test('the runner stores the code revision of every fold: the git commit here', () => {
  const revision = codeRevision();
  assert.match(revision, /^[0-9a-f]{40}(\+dirty)?$/);
  const config = resolveRun({ dataset: SYN, method: 'eeg-only' } as never);
  assert.equal(failedFoldRow(config, 'subject-01', 'boom', 1).codeRevision, revision);
});

test('a cell whose folds have unequal seeds is incomplete, never ranked, and shows its seeds per fold', () => {
  const [t] = report('comparison', [
    // eeg-only has the best mean, but subject-01 ran 2 seeds and subject-02 one.
    f('eeg-only', 1, 0.9, { seed: 1 }),
    f('eeg-only', 1, 0.9, { seed: 2 }),
    f('eeg-only', 2, 0.9),
    f('em-only', 1, 0.6),
    f('em-only', 2, 0.7),
  ]);
  const [eeg, em] = t.cells.map((row) => row[0]!);
  assert.deepEqual(eeg.seedsPerFold, { 'subject-01': 2, 'subject-02': 1 });
  assert.deepEqual([eeg.marked, em.marked], [false, true]);
  const text = formatReport('comparison', [t], 'text');
  assert.match(text, /90\.00 ± 0\.00 \(n=2; seeds 2\/1\)/);
  assert.match(
    text,
    /seeds per fold: 1–2; a cell whose folds have unequal seeds is incomplete and not ranked/,
  );
  const csv = formatReport('comparison', [t], 'csv');
  assert.match(csv, /subject-01:2 subject-02:1/);
});

test('fusion and timing show every model, run or not, as — (n=0/b)', () => {
  const folds = [f('eeg-only', 1, 0.6), f('eeg-only', 2, 0.7), f('fusion', 1, 0.8), f('fusion', 2, 0.75)];
  const [t] = report('fusion', folds);
  assert.deepEqual(
    t.rows.map((r) => r.key),
    ['EEG', 'EM', 'EM+EEG', 'EM-guided EEG', 'EEG-guided EM'],
  );
  const md = formatReport('fusion', [t], 'md');
  assert.match(md, /\| EM \(em-only\) \| — \(n=0\/2\) \|/);
  assert.match(md, /\| EEG-guided EM \(cmcrd, eeg->em\) \| — \(n=0\/2\) \|/);
  const [timing] = report('timing', folds);
  assert.equal(timing.rows.length, 5);
  const [oneDirection] = report('fusion', folds, { direction: 'em->eeg' });
  assert.ok(!oneDirection.rows.some((r) => r.key === 'EEG-guided EM'));
});
