// Builds the stored model of a finished fold (RunOptions.keepModels): its weights and everything
// a user of the model needs that the weights do not say.
import type { Backbone } from '@cmcrd/core';
import { type Dataset, type Split, eegColumnNames, emColumnNames, zscoreFitRows } from '@cmcrd/data';
import type { Modality, RunConfig } from '../config.js';
import type { NewFoldRow } from '@cmcrd/store';
import { type ModelArtifact, buildModelArtifact } from '@cmcrd/store';
import { codeRevision } from '../revision.js';

/**
 * The training split's z-score statistics of one modality, fitted exactly as the split builder
 * fitted them (the same raw rows, in the same order, the same float64 passes; read in place rather
 * than copied), so that a model exported with them sees the numbers it was trained and tested on.
 */
function trainStats(ds: Dataset, split: Split, mod: Modality): { mean: number[]; std: number[] } {
  const dim = mod === 'eeg' ? ds.spec.eegDim : ds.spec.emDim;
  const s = zscoreFitRows(mod === 'eeg' ? ds.eeg : ds.em, dim, split.train.rows);
  return { mean: Array.from(s.mean), std: Array.from(s.std) };
}

export function keptModel(input: {
  config: RunConfig;
  ds: Dataset;
  split: Split;
  model: Backbone;
  /** The model's weights, read before (asynchronously: webgpu in Node has no synchronous read). */
  snapshot: Float32Array[];
  modality: Modality;
  /** The fold's finished row: its accuracy, confusion matrix and the rest of its provenance. */
  row: NewFoldRow & { accuracy: number; balancedAccuracy: number; confusion: string; testSize: number; trainSize: number };
}): ModelArtifact {
  const { config, ds, split, model, snapshot, modality, row } = input;
  const how = config.protocolOptions.normalisation;
  const stats = how === 'per-subject' ? null : trainStats(ds, split, modality);
  return buildModelArtifact({
    snapshot,
    architecture: {
      backbone: model.name,
      modality,
      inputDim: model.inputDim,
      numClasses: model.numClasses,
      featureDims: [...model.featureDims],
      parameterCount: model.parameterCount(),
    },
    preprocess: {
      normalisation: how,
      mean: stats?.mean ?? null,
      std: stats?.std ?? null,
      featureNames: modality === 'eeg' ? [...eegColumnNames] : emColumnNames(ds.spec.emDim),
      classNames: [...ds.spec.classNames],
    },
    provenance: {
      dataset: config.dataset,
      synthetic: config.spec.synthetic,
      dataRevision: row.dataRevision ?? '',
      protocol: config.protocol,
      foldKey: row.foldKey,
      protocolOptions: { ...config.protocolOptions },
      method: config.method.name,
      options: { ...config.method.options },
      direction: config.method.direction,
      teacherKey: row.teacherKey ?? null,
      teacherAccuracy: row.teacherAccuracy ?? null,
      seed: config.seed,
      student: { ...config.student },
      accuracy: row.accuracy,
      balancedAccuracy: row.balancedAccuracy,
      testSize: row.testSize,
      trainSize: row.trainSize,
      confusion: JSON.parse(row.confusion) as number[][],
      selectedEpoch: row.selectedEpoch ?? null,
      backend: row.backend,
      codeRevision: codeRevision(),
      configHash: row.configHash,
      trainedAt: row.finishedAt,
    },
  });
}
