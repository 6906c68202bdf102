/**
 * Sanity/calibration script (not a test): unimodal accuracies of two quick linear classifiers (shrinkage LDA, nearest class mean) on the
 * synthetic presets, per protocol, with the default (leak-free) options. It only ever looks at
 * unimodal EEG and EM accuracies — never at any distillation method — which is the rule for
 * calibrating GENERATOR_KNOBS.
 *
 *   node --conditions=@cmcrd/source --import tsx test/calibrate.ts [preset ...] [--seed N] [--folds N]
 *        [--knobs '{"seed-iv":{"classSeparation":1.5,"eeg":{"noiseSd":2}}}']
 *
 * --knobs deep-merges trial values into GENERATOR_KNOBS for this process only (to try values before
 * editing the table in src/synthetic.ts).
 */
import { performance } from 'node:perf_hooks';
import {
  buildSplit,
  DATASET_NAMES,
  DEFAULT_PROTOCOL_OPTIONS,
  GENERATOR_KNOBS,
  listFolds,
  loadDataset,
  PROTOCOL_NAMES,
} from '../src/index.js';
import { accuracy, lda, ncm } from './classifiers.js';

const args = process.argv.slice(2);
const opt = (flag: string, dflt: number): number => {
  const i = args.indexOf(flag);
  return i >= 0 ? Number(args[i + 1]) : dflt;
};
const seed = opt('--seed', 0);
const maxFolds = opt('--folds', 1000);
const knobsArg = args.indexOf('--knobs');
if (knobsArg >= 0) {
  const merge = (target: Record<string, unknown>, src: Record<string, unknown>): void => {
    for (const [k, v] of Object.entries(src)) {
      if (v && typeof v === 'object' && !Array.isArray(v))
        merge(target[k] as Record<string, unknown>, v as Record<string, unknown>);
      else target[k] = v;
    }
  };
  merge(GENERATOR_KNOBS as unknown as Record<string, unknown>, JSON.parse(args[knobsArg + 1]));
}
const names = args.filter((a, i) => !a.startsWith('--') && !(i > 0 && args[i - 1].startsWith('--')));
const presets = names.length > 0 ? names : [...DATASET_NAMES];

const fmt = (a: number[]): string => {
  const m = a.reduce((s, v) => s + v, 0) / a.length;
  const sd = Math.sqrt(a.reduce((s, v) => s + (v - m) ** 2, 0) / Math.max(a.length - 1, 1));
  return `${(100 * m).toFixed(1)} ± ${(100 * sd).toFixed(1)}`;
};

for (const name of presets) {
  const t0 = performance.now();
  const ds = loadDataset(name, { seed });
  const t1 = performance.now();
  console.log(`\n${name} (seed ${seed}): ${ds.n} windows, generated in ${((t1 - t0) / 1000).toFixed(2)} s`);
  const { numClasses: c, eegDim, emDim } = ds.spec;
  for (const protocol of PROTOCOL_NAMES) {
    const folds = listFolds(ds.spec, protocol).slice(0, maxFolds);
    const acc: Record<string, number[]> = { 'EEG lda': [], 'EM lda': [], 'EEG ncm': [], 'EM ncm': [] };
    const conf: Record<string, number[][]> = {
      EEG: Array.from({ length: c }, () => new Array(c).fill(0)),
      EM: Array.from({ length: c }, () => new Array(c).fill(0)),
    };
    for (const fold of folds) {
      const sp = buildSplit(ds, protocol, fold, DEFAULT_PROTOCOL_OPTIONS);
      const step = protocol === 'cross-subject' ? 4 : 1;
      for (const [mod, d] of [
        ['EEG', eegDim],
        ['EM', emDim],
      ] as const) {
        const xtr = mod === 'EEG' ? sp.train.eeg : sp.train.em;
        const xte = mod === 'EEG' ? sp.test.eeg : sp.test.em;
        const r = lda(xtr, sp.train.labels, sp.train.n, d, c, 0.1, step);
        acc[`${mod} lda`].push(accuracy(r, sp.test, xte));
        for (let i = 0; i < sp.test.n; i++) conf[mod][sp.test.labels[i]][r(xte, i)]++;
        acc[`${mod} ncm`].push(accuracy(ncm(xtr, sp.train.labels, sp.train.n, d, c), sp.test, xte));
      }
    }
    console.log(
      `  ${protocol.padEnd(15)} ${Object.entries(acc)
        .map(([k, v]) => `${k} ${fmt(v)}`)
        .join(' | ')}`,
    );
    for (const mod of ['EEG', 'EM']) {
      const rows = conf[mod].map(
        (r, k) =>
          `${ds.spec.classNames[k].slice(0, 5).padEnd(5)} ${r.map((v) => ((100 * v) / r.reduce((a, b) => a + b, 0)).toFixed(0).padStart(3)).join(' ')}`,
      );
      console.log(`    ${mod} lda confusion (row %): ${rows.join(' / ')}`);
    }
  }
}
