// A run's id is the store's (runIdOf), so that `cmcrd runs` and `cmcrd folds --run` show the ids the API does.
import { type FoldSummaryRow, type RunRow, runIdOf, type schema } from '@cmcrd/store/read';
import type { JsonObject, Training } from './contract/index.js';

type FoldRow = typeof schema.folds.$inferSelect;
type SweepRow = typeof schema.sweeps.$inferSelect;

const parsed = new Map<string, JsonObject>();
/** JSON columns repeat a lot (options, protocol options): parse each distinct text once. */
function json(text: string): JsonObject {
  let v = parsed.get(text);
  if (!v) {
    v = JSON.parse(text) as JsonObject;
    if (parsed.size > 10_000) parsed.clear();
    parsed.set(text, v);
  }
  return v;
}

/** The `variant` column split into the method's options and the training settings. */
export function variantParts(variant: string): { options: JsonObject; training: Training } {
  const [options, student, teacherEpochs, module] = variant.split('\u001f');
  return {
    options: options ? json(options) : {},
    training: {
      ...(student ? { student: json(student) } : {}),
      ...(teacherEpochs ? { teacherEpochs: Number(teacherEpochs) } : {}),
      ...(module ? { module } : {}),
    },
  };
}

export function foldSummaryJson(r: FoldSummaryRow) {
  return {
    id: r.id,
    configHash: r.configHash,
    dataset: r.dataset,
    synthetic: r.synthetic,
    protocol: r.protocol,
    foldKey: r.foldKey,
    method: r.method,
    backbone: r.backbone,
    direction: r.direction,
    testModality: r.testModality,
    seed: r.seed,
    options: json(r.options),
    protocolOptions: json(r.protocolOptions),
    status: r.status,
    accuracy: r.accuracy,
    balancedAccuracy: r.balancedAccuracy,
    trainSize: r.trainSize,
    testSize: r.testSize,
    trainMs: r.trainMs,
    testMs: r.testMs,
    epochs: r.epochs,
    selectedEpoch: r.selectedEpoch,
    backend: r.backend,
    host: r.host,
    teacherKey: r.teacherKey,
    teacherAccuracy: r.teacherAccuracy,
    teacherMs: r.teacherMs,
    error: r.error,
    attempts: r.attempts,
    experiment: r.sweepId,
    run: runIdOf(r),
    startedAt: r.startedAt,
    finishedAt: r.finishedAt,
  };
}

export function foldJson(r: FoldRow) {
  return {
    ...foldSummaryJson(r),
    config: JSON.parse(r.config) as JsonObject,
    confusion: r.confusion === null ? null : (JSON.parse(r.confusion) as number[][]),
    createdAt: r.createdAt,
  };
}

export function runJson(r: RunRow) {
  const { options, training } = variantParts(r.variant);
  return {
    id: runIdOf(r),
    dataset: r.dataset,
    synthetic: r.synthetic,
    protocol: r.protocol,
    protocolOptions: json(r.protocolOptions),
    backbone: r.backbone,
    method: r.method,
    direction: r.direction,
    options,
    training,
    seed: r.seed,
    done: r.done,
    failed: r.failed,
    meanAccuracy: r.meanAccuracy,
    experiments: r.sweepIds,
    lastFinishedAt: r.lastFinishedAt,
  };
}

export function experimentJson(
  s: SweepRow,
  counts: { done: number; failed: number } | undefined,
  startedHere: boolean,
) {
  return {
    id: s.id,
    name: s.name,
    file: s.file,
    status: s.status,
    options: json(s.options),
    folds: s.folds,
    done: counts?.done ?? 0,
    failed: counts?.failed ?? 0,
    createdAt: s.createdAt,
    finishedAt: s.finishedAt,
    startedHere,
  };
}
