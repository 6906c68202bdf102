// `pnpm --filter @cmcrd/runner bench:predict`: time for an exported model (cmcrd export) to
// predict 10,000 windows after it is loaded — preprocessing, the graph and the probabilities — per
// backbone, on the wasm and cpu backends, in Node. Issue 20's target: ≤ 1 s. The weights are a
// fresh backbone's: the time does not depend on their values. Not part of the tests.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRandom, getBackbone, inferAll, selectBackend } from '@cmcrd/core';
import { eegColumnNames } from '@cmcrd/data';
import { writeFolderAtomically } from '../src/cli-export.js';
import { buildModelArtifact } from '@cmcrd/store';
import { exportFiles } from '@cmcrd/reports';
import { loadExportedModel, predictRows, preprocessRows } from '../src/model/exported.js';

const WINDOWS = 10_000;
const ROUNDS = 5;
const backend = process.argv.find((a) => a.startsWith('--backend='))?.slice(10) ?? 'wasm';
await selectBackend(backend);
const r = createRandom(1);
const raw = Float32Array.from({ length: WINDOWS * 310 }, () => 3 * r.normal() + 1);
const dir = mkdtempSync(join(tmpdir(), 'cmcrd-bench-predict-'));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
try {
  // The pure-JS cpu backend takes minutes for the graph backbones: DNN only there.
  for (const backbone of backend === 'cpu' ? ['dnn'] : ['dnn', 'dgcnn', 'bihdm']) {
    const model = getBackbone(backbone).create({ inputDim: 310, numClasses: 4, modality: 'eeg', random: createRandom(2) });
    const artifact = buildModelArtifact({
      snapshot: model.snapshot(),
      architecture: { backbone, modality: 'eeg', inputDim: 310, numClasses: 4, featureDims: model.featureDims, parameterCount: model.parameterCount() },
      preprocess: { normalisation: 'train', mean: Array(310).fill(1), std: Array(310).fill(3), featureNames: [...eegColumnNames], classNames: ['a', 'b', 'c', 'd'] },
      provenance: {
        dataset: 'synthetic-seed-iv',
        synthetic: true,
        dataRevision: '0',
        protocol: 'within-subject',
        foldKey: 'subject-01',
        protocolOptions: { normalisation: 'train', mccSource: 'train', epochSelection: 'last' },
        method: 'eeg-only',
        options: {},
        direction: 'none',
        teacherKey: null,
        teacherAccuracy: null,
        seed: 1,
        student: {},
        accuracy: 0,
        balancedAccuracy: 0,
        testSize: 0,
        trainSize: 0,
        confusion: [],
        selectedEpoch: null,
        backend,
        codeRevision: 'bench',
        configHash: 'bench',
        trainedAt: new Date().toISOString(),
      },
    });
    const out = join(dir, backbone);
    const t0 = performance.now();
    writeFolderAtomically(out, exportFiles(artifact, { id: 0 }));
    const exportMs = performance.now() - t0;
    const t1 = performance.now();
    const loaded = await loadExportedModel(out);
    const loadMs = performance.now() - t1;
    predictRows(loaded, raw.subarray(0, 310 * 64)); // warm-up: kernels compiled, buffers allocated
    const times: number[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      const t = performance.now();
      predictRows(loaded, raw);
      times.push(performance.now() - t);
    }
    loaded.graph.dispose();
    const ms = median(times);
    // Side by side: the training code's own inference (core's inferAll) on the same z-scored rows.
    const z = preprocessRows(loaded.preprocess, raw, 310);
    const own: number[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      const t = performance.now();
      inferAll(model, z, 310);
      own.push(performance.now() - t);
    }
    model.dispose();
    console.log(
      `${backend.padEnd(5)} ${backbone.padEnd(6)} export ${exportMs.toFixed(0).padStart(4)} ms, load ${loadMs.toFixed(0).padStart(4)} ms, predict ${WINDOWS} windows: median ${ms.toFixed(0).padStart(5)} ms of ${ROUNDS} (${(WINDOWS / (ms / 1000)).toFixed(0)} windows/s) ${ms <= 1000 ? 'ok (≤ 1 s)' : 'OVER the 1 s target'}; the backbone's own inference: ${median(own).toFixed(0)} ms`,
    );
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
