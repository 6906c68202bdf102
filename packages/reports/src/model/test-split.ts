// A fold's test windows as they were recorded (raw features, before any z-score) with their
// labels: what the dashboard's "Try it" panel feeds an exported model, so that anyone can check
// in a browser that the export reproduces the stored accuracy. Rebuilt from the dataset (the
// synthetic generator, or the imported release's cache); no TensorFlow.js.
import { buildSplit, loadDataset, parseProtocolOptions } from '@cmcrd/data';
import type { FoldRow } from '@cmcrd/store/read';
import { ModelNotFoundError } from '@cmcrd/store/read';

export interface TestWindows {
  fold: number;
  modality: 'eeg' | 'em';
  n: number;
  dim: number;
  /** n × dim float32, row-major, little-endian, base64. */
  x: string;
  labels: number[];
}

export function foldTestWindows(fold: FoldRow, modality: 'eeg' | 'em'): TestWindows {
  const config = JSON.parse(fold.config) as { dataSeed: number | null; dataVersion?: string; protocolOptions: Record<string, unknown> };
  const ds = loadDataset(fold.dataset, { seed: config.dataSeed ?? 0 });
  if ((ds.spec.dataVersion ?? null) !== (config.dataVersion ?? null)) {
    throw new ModelNotFoundError(
      `fold ${fold.id} was trained on ${fold.dataset} revision ${config.dataVersion}, the imported copy here is ${ds.spec.dataVersion}: its test split cannot be rebuilt`,
    );
  }
  const split = buildSplit(ds, fold.protocol as 'within-subject', fold.foldKey, parseProtocolOptions(config.protocolOptions));
  const dim = modality === 'eeg' ? ds.spec.eegDim : ds.spec.emDim;
  const source = modality === 'eeg' ? ds.eeg : ds.em;
  const x = new Float32Array(split.test.n * dim);
  for (const [i, r] of split.test.rows.entries()) x.set(source.subarray(r * dim, (r + 1) * dim), i * dim);
  return { fold: fold.id, modality, n: split.test.n, dim, x: Buffer.from(x.buffer).toString('base64'), labels: Array.from(split.test.labels) };
}
