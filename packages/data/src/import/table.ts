import { EEG_DIM } from '../constants.js';
import type { Dataset } from '../dataset-types.js';
import { ImportError } from './import-error.js';

/** Every window of an imported dataset: a Dataset without its spec (known once loaded). */
export type WindowTable = Omit<Dataset, 'spec'> & { emDim: number };

/** One trial's windows, as an importer reads them. */
export interface TrialBlock {
  subject: number;
  session: number;
  trial: number;
  /** One label per window. */
  labels: Int32Array;
  /** windows × 310, row-major. */
  eeg: Float32Array;
  /** windows × emDim, row-major, or null when the subject has no eye-movement data. */
  em: Float32Array | null;
}

/** Collects trial blocks in any order and lays them out sorted, in one allocation per column. */
export class WindowTableBuilder {
  private readonly blocks: TrialBlock[] = [];
  private readonly seen = new Set<string>();

  constructor(readonly emDim: number) {}

  add(block: TrialBlock, file: string): void {
    const key = `${block.subject}/${block.session}/${block.trial}`;
    if (this.seen.has(key)) {
      throw new ImportError(
        `subject ${block.subject}, session ${block.session}, trial ${block.trial} appears twice`,
        file,
      );
    }
    this.seen.add(key);
    this.blocks.push(block);
  }

  get size(): number {
    return this.blocks.length;
  }

  build(): WindowTable {
    const blocks = [...this.blocks].sort(
      (a, b) => a.subject - b.subject || a.session - b.session || a.trial - b.trial,
    );
    const n = blocks.reduce((s, b) => s + b.labels.length, 0);
    const t: WindowTable = {
      n,
      emDim: this.emDim,
      eeg: new Float32Array(n * EEG_DIM),
      em: new Float32Array(n * this.emDim).fill(Number.NaN),
      label: new Int32Array(n),
      subject: new Int32Array(n),
      session: new Int32Array(n),
      trial: new Int32Array(n),
      window: new Int32Array(n),
    };
    let row = 0;
    for (const b of blocks) {
      const w = b.labels.length;
      t.eeg.set(b.eeg, row * EEG_DIM);
      if (b.em) t.em.set(b.em, row * this.emDim);
      t.label.set(b.labels, row);
      t.subject.fill(b.subject, row, row + w);
      t.session.fill(b.session, row, row + w);
      t.trial.fill(b.trial, row, row + w);
      for (let i = 0; i < w; i++) t.window[row + i] = i;
      row += w;
    }
    return t;
  }
}

/** NaN or ±Inf anywhere → an error naming the file, the variable and the first bad position. */
export function checkFinite(values: ArrayLike<number>, file: string, variable: string, describe: (i: number) => string): void {
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i])) {
      throw new ImportError(`holds ${values[i]} at ${describe(i)}`, file, variable);
    }
  }
}

/** Labels must be integers in [offset, offset + numClasses) (SEED's raw labels: offset −1). */
export function checkLabels(labels: ArrayLike<number>, numClasses: number, file: string, variable: string, offset = 0): void {
  for (let i = 0; i < labels.length; i++) {
    const v = labels[i] - offset;
    if (!Number.isInteger(v) || v < 0 || v >= numClasses) {
      const range = `${offset}..${numClasses - 1 + offset}`;
      throw new ImportError(`has label ${labels[i]} at position ${i}, outside ${range}`, file, variable);
    }
  }
}
