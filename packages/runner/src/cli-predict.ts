// `cmcrd predict`: an exported model's class probabilities for the windows of a file.
import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { currentBackend, selectBackend } from '@cmcrd/core';
import { readWindowsFile } from '@cmcrd/data';
import { stringify } from 'csv-stringify/sync';
import { ConfigError } from './errors.js';
import type { PreprocessFile } from '@cmcrd/reports';
import { ExportedModelError, loadExportedModel, predictRows } from './model/exported.js';
import { userPath } from '@cmcrd/store';

export interface PredictOptions {
  model: string;
  input: string;
  format: 'csv' | 'json';
  out?: string;
  backend?: string;
}

function readPreprocess(dir: string): PreprocessFile {
  const path = join(dir, 'preprocess.json');
  if (!existsSync(path)) throw new ConfigError(`${dir} has no preprocess.json: --model must be a folder written by cmcrd export`);
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as PreprocessFile;
  } catch (e) {
    throw new ConfigError(`${path}: not JSON (${(e as Error).message})`);
  }
}

export async function cmdPredict(o: PredictOptions): Promise<number> {
  const dir = userPath(o.model);
  const input = userPath(o.input);
  const pre = readPreprocess(dir);
  const dim = pre.input.shape[1];
  // The input is read and checked in full before anything else happens (or is written).
  const windows = readWindowsFile(input, { modality: pre.modality, dim, featureNames: pre.featureNames });
  await selectBackend(o.backend);
  let model: Awaited<ReturnType<typeof loadExportedModel>>;
  try {
    model = await loadExportedModel(dir);
  } catch (e) {
    if (e instanceof ExportedModelError) throw new ConfigError(e.message);
    throw e;
  }
  const t0 = performance.now();
  const { probabilities, predictions } = predictRows(model, windows.x);
  const ms = performance.now() - t0;
  model.graph.dispose();
  const c = pre.classNames.length;
  const probs = (i: number) => Array.from(probabilities.subarray(i * c, (i + 1) * c));
  let text: string;
  if (o.format === 'json') {
    text = `${JSON.stringify({
      model: pre.modelId,
      input,
      parts: windows.parts,
      backend: currentBackend(),
      classNames: pre.classNames,
      windows: Array.from(predictions, (p, i) => ({ window: i, predicted: p, class: pre.classNames[p], probabilities: probs(i) })),
    })}\n`;
  } else {
    text = stringify([
      ['window', 'predicted', 'class', ...pre.classNames.map((n) => `p_${n}`)],
      ...Array.from(predictions, (p, i) => [i, p, pre.classNames[p], ...probs(i)]),
    ]);
  }
  if (o.out) {
    const out = userPath(o.out);
    const tmp = `${out}.tmp-${process.pid}`;
    try {
      writeFileSync(tmp, text);
      renameSync(tmp, out);
    } catch (e) {
      rmSync(tmp, { force: true });
      throw e;
    }
    console.error(`cmcrd predict: ${windows.n} windows (${windows.parts.join(', ')}) in ${ms.toFixed(0)} ms on ${currentBackend()} → ${out}`);
  } else {
    process.stdout.write(text);
  }
  return 0;
}

