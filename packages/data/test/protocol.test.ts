import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  buildSplit,
  type Dataset,
  DEFAULT_PROTOCOL_OPTIONS,
  datasetSpec,
  listFolds,
  loadDataset,
  PROTOCOL_NAMES,
  ProtocolError,
  type ProtocolName,
  type ProtocolOptions,
  parseProtocol,
  parseProtocolOptions,
  type Split,
  type SplitPart,
} from '../src/index.js';

const opts = (o: Partial<ProtocolOptions> = {}): ProtocolOptions => ({ ...DEFAULT_PROTOCOL_OPTIONS, ...o });
const foldNumber = (key: string): number => Number(key.slice(key.lastIndexOf('-') + 1));

/** Throws unless `fn` throws a ProtocolError whose message contains every one of `parts`. */
function throwsProtocol(fn: () => unknown, ...parts: string[]): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof ProtocolError, `expected ProtocolError, got ${String(err)}`);
    for (const p of parts)
      assert.ok(err.message.includes(p), `message ${JSON.stringify(err.message)} lacks ${p}`);
    return true;
  });
}

function partsOf(sp: Split): [string, SplitPart][] {
  const out: [string, SplitPart][] = [
    ['train', sp.train],
    ['test', sp.test],
  ];
  if (sp.val) out.push(['val', sp.val]);
  return out;
}

/** Structural checks shared by every split: consistency with the dataset, no leaks, no NaN. */
function checkSplit(ds: Dataset, sp: Split): void {
  const { spec } = ds;
  const seenRows = new Set<number>();
  const trialsOf = new Map<string, Set<number>>();
  for (const [name, part] of partsOf(sp)) {
    assert.ok(part.n > 0, `${name} is empty`);
    assert.equal(part.eeg.length, part.n * spec.eegDim);
    assert.equal(part.em.length, part.n * spec.emDim);
    for (const a of [part.labels, part.rows, part.subjects, part.trialIds]) assert.equal(a.length, part.n);
    const trials = new Set<number>();
    for (let i = 0; i < part.n; i++) {
      const r = part.rows[i];
      if (seenRows.has(r)) assert.fail(`row ${r} is in two parts`);
      seenRows.add(r);
      if (part.labels[i] !== ds.label[r] || part.subjects[i] !== ds.subject[r])
        assert.fail(`${name}[${i}] mismatches row ${r}`);
      trials.add(part.trialIds[i]);
    }
    // trial ids identify (subject, session, trial)
    const keyOfId = new Map<number, string>();
    for (let i = 0; i < part.n; i++) {
      const r = part.rows[i];
      const key = `${ds.subject[r]}/${ds.session[r]}/${ds.trial[r]}`;
      const prev = keyOfId.get(part.trialIds[i]);
      if (prev !== undefined && prev !== key)
        assert.fail(`trial id ${part.trialIds[i]} used for ${prev} and ${key}`);
      keyOfId.set(part.trialIds[i], key);
    }
    for (let i = 0; i < part.em.length; i++)
      if (!Number.isFinite(part.em[i])) assert.fail(`${name}.em has ${part.em[i]}`);
    for (let i = 0; i < part.eeg.length; i++)
      if (!Number.isFinite(part.eeg[i])) assert.fail(`${name}.eeg has ${part.eeg[i]}`);
    trialsOf.set(name, trials);
  }
  const names = [...trialsOf.keys()];
  for (const a of names) {
    for (const b of names) {
      if (a >= b) continue;
      const shared = [...(trialsOf.get(a) as Set<number>)].filter((t) => trialsOf.get(b)?.has(t));
      assert.deepEqual(shared, [], `${a} and ${b} share trials`);
    }
  }
  assert.equal(sp.numClasses, spec.numClasses);
  assert.equal(sp.eegDim, 310);
  assert.equal(sp.emDim, spec.emDim);
}

/** Set of "session/trial" of a part (single-subject parts). */
function sessionTrials(ds: Dataset, part: SplitPart): Set<string> {
  return new Set(Array.from(part.rows, (r) => `${ds.session[r]}/${ds.trial[r]}`));
}

function expectedTrials(ds: Dataset, from: number, to: number): Set<string> {
  const out = new Set<string>();
  for (let e = 1; e <= ds.spec.sessions; e++) for (let t = from; t <= to; t++) out.add(`${e}/${t}`);
  return out;
}

function rowsOfSubject(ds: Dataset, s: number): number[] {
  const rows: number[] = [];
  for (let i = 0; i < ds.n; i++) if (ds.subject[i] === s) rows.push(i);
  return rows;
}

describe('protocol names and folds', () => {
  it('knows the two protocols', () => {
    assert.deepEqual([...PROTOCOL_NAMES], ['within-subject', 'cross-subject']);
    for (const p of PROTOCOL_NAMES) assert.equal(parseProtocol(p), p);
  });

  it('one fold per subject with both modalities (SEED 12, SEED-IV 15, SEED-V 16)', () => {
    for (const [name, count] of [
      ['synthetic-seed', 12],
      ['synthetic-seed-iv', 15],
      ['synthetic-seed-v', 16],
    ] as const) {
      const spec = datasetSpec(name);
      const within = listFolds(spec, 'within-subject');
      const cross = listFolds(spec, 'cross-subject');
      assert.equal(within.length, count);
      assert.equal(cross.length, count);
      assert.deepEqual(
        within,
        Array.from({ length: count }, (_, i) => `subject-${String(i + 1).padStart(2, '0')}`),
      );
      assert.deepEqual(
        cross,
        Array.from({ length: count }, (_, i) => `loso-${String(i + 1).padStart(2, '0')}`),
      );
    }
  });
});

for (const name of ['synthetic-seed-iv', 'synthetic-seed-v'] as const) {
  describe(`${name} splits`, () => {
    const ds = loadDataset(name);
    const { spec } = ds;
    const T = spec.trialsPerSession;
    const trainT = spec.trainTrialsPerSession;

    it(`within-subject: the fold's subject only; first ${trainT} trials of every session train, the rest test`, () => {
      for (const fold of listFolds(spec, 'within-subject')) {
        const s = foldNumber(fold);
        const sp = buildSplit(ds, 'within-subject', fold, DEFAULT_PROTOCOL_OPTIONS);
        checkSplit(ds, sp);
        assert.equal(sp.val, null);
        assert.equal(sp.protocol, 'within-subject');
        assert.equal(sp.foldKey, fold);
        for (const part of [sp.train, sp.test]) assert.ok(part.subjects.every((x) => x === s));
        assert.deepEqual(sessionTrials(ds, sp.train), expectedTrials(ds, 1, trainT));
        assert.deepEqual(sessionTrials(ds, sp.test), expectedTrials(ds, trainT + 1, T));
        assert.equal(sp.train.n + sp.test.n, rowsOfSubject(ds, s).length);
      }
    });

    it('within-subject best-val: the last 2 training trials of each session validate', () => {
      const sp = buildSplit(ds, 'within-subject', 'subject-03', opts({ epochSelection: 'best-val' }));
      checkSplit(ds, sp);
      assert.ok(sp.val);
      assert.deepEqual(sessionTrials(ds, sp.train), expectedTrials(ds, 1, trainT - 2));
      assert.deepEqual(sessionTrials(ds, sp.val), expectedTrials(ds, trainT - 1, trainT));
      assert.deepEqual(sessionTrials(ds, sp.test), expectedTrials(ds, trainT + 1, T));
    });

    it('cross-subject: leave-one-subject-out, test is exactly that subject, all others train', () => {
      const all = spec.emSubjects;
      for (const fold of listFolds(spec, 'cross-subject')) {
        const s = foldNumber(fold);
        const sp = buildSplit(ds, 'cross-subject', fold, DEFAULT_PROTOCOL_OPTIONS);
        checkSplit(ds, sp);
        assert.deepEqual([...sp.test.rows], rowsOfSubject(ds, s));
        assert.deepEqual(
          [...new Set(sp.train.subjects)].sort((a, b) => a - b),
          all.filter((x) => x !== s),
        );
      }
    });

    it('cross-subject best-val: the next subject id (cyclically) validates', () => {
      const last = spec.emSubjects[spec.emSubjects.length - 1];
      for (const [fold, valSubject] of [
        ['loso-01', 2],
        [`loso-${last}`, 1],
      ] as const) {
        const sp = buildSplit(ds, 'cross-subject', fold, opts({ epochSelection: 'best-val' }));
        checkSplit(ds, sp);
        assert.ok(sp.val);
        assert.deepEqual([...sp.val.rows], rowsOfSubject(ds, valSubject));
        assert.ok(!sp.train.subjects.includes(valSubject));
        assert.equal(sp.train.n + sp.val.n + sp.test.n, ds.n);
      }
    });
  });
}

describe('synthetic-seed splits (subjects 13-15 have no EM)', () => {
  const ds = loadDataset('synthetic-seed');
  it('within-subject uses the first 9 trials of each session for training', () => {
    for (const fold of ['subject-01', 'subject-12']) {
      const sp = buildSplit(ds, 'within-subject', fold, DEFAULT_PROTOCOL_OPTIONS);
      checkSplit(ds, sp);
      assert.deepEqual(sessionTrials(ds, sp.train), expectedTrials(ds, 1, 9));
      assert.deepEqual(sessionTrials(ds, sp.test), expectedTrials(ds, 10, 15));
    }
  });

  it('cross-subject never uses subjects without EM; loso-12 validates on subject 1', () => {
    const sp = buildSplit(ds, 'cross-subject', 'loso-12', opts({ epochSelection: 'best-val' }));
    checkSplit(ds, sp);
    assert.deepEqual([...sp.test.rows], rowsOfSubject(ds, 12));
    assert.deepEqual([...new Set(sp.val?.subjects)], [1]);
    assert.deepEqual(
      [...new Set(sp.train.subjects)].sort((a, b) => a - b),
      [2, 3, 4, 5, 6, 7, 8, 9, 10, 11],
    );
  });
});

describe('normalisation', () => {
  const ds = loadDataset('synthetic-seed-iv');

  /** Per-column mean and std (float64, population) of a part's rows. */
  function colStats(x: Float32Array, n: number, d: number): { mean: number[]; std: number[] } {
    const mean = new Array<number>(d).fill(0);
    const std = new Array<number>(d).fill(0);
    for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) mean[j] += x[i * d + j] / n;
    for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) std[j] += (x[i * d + j] - mean[j]) ** 2 / n;
    return { mean, std: std.map(Math.sqrt) };
  }

  /** Stats of the raw dataset over the given rows, for one modality. */
  function rawStats(mod: 'eeg' | 'em', rows: ArrayLike<number>): { mean: number[]; std: number[] } {
    const d = mod === 'eeg' ? ds.spec.eegDim : ds.spec.emDim;
    const x = new Float32Array(rows.length * d);
    for (let i = 0; i < rows.length; i++) x.set(ds[mod].subarray(rows[i] * d, (rows[i] + 1) * d), i * d);
    return colStats(x, rows.length, d);
  }

  function assertStandard(x: Float32Array, n: number, d: number, what: string): void {
    const { mean, std } = colStats(x, n, d);
    for (let j = 0; j < d; j++) {
      if (Math.abs(mean[j]) > 1e-3 || Math.abs(std[j] - 1) > 1e-3)
        assert.fail(`${what} column ${j}: mean ${mean[j]} std ${std[j]}`);
    }
  }

  /** part rows equal (raw - mean) / std for the given stats. */
  function assertTransformed(
    mod: 'eeg' | 'em',
    part: SplitPart,
    st: { mean: number[]; std: number[] },
    what: string,
  ): void {
    const d = mod === 'eeg' ? ds.spec.eegDim : ds.spec.emDim;
    for (let i = 0; i < part.n; i += 7) {
      for (let j = 0; j < d; j++) {
        const want = (ds[mod][part.rows[i] * d + j] - st.mean[j]) / st.std[j];
        const got = part[mod][i * d + j];
        if (Math.abs(got - want) > 1e-3 * Math.max(1, Math.abs(want)))
          assert.fail(`${what} row ${i} col ${j}: ${got} vs ${want}`);
      }
    }
  }

  for (const protocol of PROTOCOL_NAMES) {
    const fold = protocol === 'within-subject' ? 'subject-04' : 'loso-04';

    it(`${protocol} 'train' (default): train standardised; val and test use the TRAIN statistics`, () => {
      const sp = buildSplit(ds, protocol, fold, opts({ epochSelection: 'best-val' }));
      assert.equal(sp.options.normalisation, 'train');
      for (const mod of ['eeg', 'em'] as const) {
        const d = mod === 'eeg' ? sp.eegDim : sp.emDim;
        assertStandard(sp.train[mod], sp.train.n, d, `train.${mod}`);
        const st = rawStats(mod, sp.train.rows);
        assertTransformed(mod, sp.train, st, `train.${mod}`);
        assertTransformed(mod, sp.test, st, `test.${mod}`);
        assertTransformed(mod, sp.val as SplitPart, st, `val.${mod}`);
        // and therefore the test set is NOT standardised on itself
        const t = colStats(sp.test[mod], sp.test.n, d);
        assert.ok(
          t.mean.some((m) => Math.abs(m) > 0.05),
          `test.${mod} looks self-normalised`,
        );
      }
    });

    it(`${protocol} 'paper': train and test each standardised on themselves, val with train statistics`, () => {
      const sp = buildSplit(ds, protocol, fold, opts({ normalisation: 'paper', epochSelection: 'best-val' }));
      assert.equal(sp.options.normalisation, 'paper');
      for (const mod of ['eeg', 'em'] as const) {
        const d = mod === 'eeg' ? sp.eegDim : sp.emDim;
        assertStandard(sp.train[mod], sp.train.n, d, `train.${mod}`);
        assertStandard(sp.test[mod], sp.test.n, d, `test.${mod}`);
        assertTransformed(mod, sp.test, rawStats(mod, sp.test.rows), `test.${mod}`);
        assertTransformed(mod, sp.val as SplitPart, rawStats(mod, sp.train.rows), `val.${mod}`);
      }
    });
  }

  it("'per-subject': every subject standardised on all of its own rows in the split", () => {
    const cross = buildSplit(ds, 'cross-subject', 'loso-04', opts({ normalisation: 'per-subject' }));
    assert.equal(cross.options.normalisation, 'per-subject');
    for (const mod of ['eeg', 'em'] as const) {
      const d = mod === 'eeg' ? cross.eegDim : cross.emDim;
      assertStandard(cross.test[mod], cross.test.n, d, `test.${mod}`);
      const idx = [...cross.train.subjects.keys()].filter((i) => cross.train.subjects[i] === 9);
      const rows = idx.map((i) => cross.train.rows[i]);
      const st = rawStats(mod, rows);
      for (const i of idx.filter((_, k) => k % 11 === 0)) {
        for (let j = 0; j < d; j++) {
          const want = (ds[mod][cross.train.rows[i] * d + j] - st.mean[j]) / st.std[j];
          if (Math.abs(cross.train[mod][i * d + j] - want) > 1e-3 * Math.max(1, Math.abs(want)))
            assert.fail(`subject 9 row ${i}`);
        }
      }
    }
    // within-subject: one subject, statistics over its train and test rows together
    const within = buildSplit(ds, 'within-subject', 'subject-04', opts({ normalisation: 'per-subject' }));
    for (const mod of ['eeg', 'em'] as const) {
      const st = rawStats(mod, [...within.train.rows, ...within.test.rows]);
      assertTransformed(mod, within.train, st, `train.${mod}`);
      assertTransformed(mod, within.test, st, `test.${mod}`);
    }
  });

  it('does not modify the dataset', () => {
    const before = ds.eeg.slice(0, 3100);
    buildSplit(ds, 'within-subject', 'subject-01', opts({ normalisation: 'paper' }));
    assert.deepEqual(ds.eeg.slice(0, 3100), before);
  });
});

describe('protocol options', () => {
  const ds = loadDataset('synthetic-seed-v');

  it('defaults are leak-free and frozen', () => {
    assert.deepEqual(
      { ...DEFAULT_PROTOCOL_OPTIONS },
      { normalisation: 'train', mccSource: 'train', epochSelection: 'last' },
    );
    assert.ok(Object.isFrozen(DEFAULT_PROTOCOL_OPTIONS));
  });

  it('parseProtocolOptions fills defaults, keeps given values, ignores undefined', () => {
    assert.deepEqual(parseProtocolOptions({}), DEFAULT_PROTOCOL_OPTIONS);
    assert.notEqual(parseProtocolOptions({}), DEFAULT_PROTOCOL_OPTIONS);
    assert.deepEqual(parseProtocolOptions({ mccSource: 'target', normalisation: undefined }), {
      normalisation: 'train',
      mccSource: 'target',
      epochSelection: 'last',
    });
    assert.deepEqual(
      parseProtocolOptions({ normalisation: 'paper', mccSource: 'target', epochSelection: 'oracle-test' }),
      {
        normalisation: 'paper',
        mccSource: 'target',
        epochSelection: 'oracle-test',
      },
    );
  });

  it('every split records its options', () => {
    const o = opts({ mccSource: 'target', epochSelection: 'oracle-test', normalisation: 'paper' });
    const sp = buildSplit(ds, 'within-subject', 'subject-02', o);
    assert.deepEqual(sp.options, o);
    assert.notEqual(sp.options, o, 'a copy, not the caller object');
    assert.equal(sp.val, null, 'only best-val carves a validation part');
  });

  it('a bad value names the option, the value and the allowed values', () => {
    throwsProtocol(
      () => parseProtocolOptions({ normalisation: 'zscore' }),
      'normalisation',
      '"zscore"',
      'train, per-subject, paper',
    );
    throwsProtocol(() => parseProtocolOptions({ mccSource: 'test' }), 'mccSource', '"test"', 'train, target');
    throwsProtocol(
      () => parseProtocolOptions({ epochSelection: 3 }),
      'epochSelection',
      '3',
      'last, best-val, oracle-test',
    );
    throwsProtocol(
      () => buildSplit(ds, 'within-subject', 'subject-01', opts({ epochSelection: 'best' as 'last' })),
      'epochSelection',
      '"best"',
    );
  });

  it('an unknown option key is named, with the known keys', () => {
    throwsProtocol(
      () => parseProtocolOptions({ normalization: 'train' }),
      '"normalization"',
      'normalisation, mccSource, epochSelection',
    );
  });

  it('an unknown protocol is named, with the known ones', () => {
    throwsProtocol(() => parseProtocol('leave-one-out'), '"leave-one-out"', 'within-subject, cross-subject');
    throwsProtocol(() => listFolds(ds.spec, 'loso' as ProtocolName), '"loso"');
    throwsProtocol(
      () => buildSplit(ds, 'subject' as ProtocolName, 'subject-01', DEFAULT_PROTOCOL_OPTIONS),
      '"subject"',
    );
  });

  it('a bad fold key is named, with the valid range', () => {
    const seed = loadDataset('synthetic-seed');
    throwsProtocol(
      () => buildSplit(seed, 'within-subject', 'subject-13', DEFAULT_PROTOCOL_OPTIONS),
      '"subject-13"',
      'subject-01 .. subject-12',
    );
    throwsProtocol(
      () => buildSplit(seed, 'cross-subject', 'loso-15', DEFAULT_PROTOCOL_OPTIONS),
      '"loso-15"',
      'loso-01 .. loso-12',
    );
    throwsProtocol(() => buildSplit(ds, 'within-subject', 'loso-01', DEFAULT_PROTOCOL_OPTIONS), '"loso-01"');
    throwsProtocol(
      () => buildSplit(ds, 'within-subject', 'subject-1', DEFAULT_PROTOCOL_OPTIONS),
      '"subject-1"',
    );
    throwsProtocol(
      () => buildSplit(ds, 'cross-subject', 'loso-17', DEFAULT_PROTOCOL_OPTIONS),
      '"loso-17"',
      'loso-16',
    );
  });
});
