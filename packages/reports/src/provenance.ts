import { canonicalJson } from '@cmcrd/store/read';
import type { FoldFact } from '@cmcrd/store/read';
import { displayName } from './display.js';
import { byMethodOrder, settingsOf } from './facts.js';
import type { TableProvenance } from './model.js';

/** The training settings every table states, as `settingsOf` names them, and how a reader calls them. */
const BUDGET: [key: string, label: string][] = [
  ['student.epochs', 'student epochs'],
  ['student.warmupEpochs', 'warm-up epochs'],
  ['student.batchSize', 'batch size'],
  ['student.lr', 'learning rate'],
  ['student.weightDecay', 'weight decay'],
  ['teacher.epochs', 'teacher epochs'],
];
/** Method options a reviewer asks about: the contrastive K and the loss weights. */
const OPTIONS: [key: string, label: string][] = [
  ['negatives', 'K (negatives)'],
  ['weight', 'loss weight'],
];

const sorted = (values: Iterable<unknown>) =>
  [...new Set([...values].map((v) => canonicalJson(v)))].sort().map((v) => JSON.parse(v) as unknown);

/**
 * What produced a table's folds: the training budget (each setting with every value its folds
 * have), K and the loss weights per method, the seeds, backends and code revisions, and which of
 * these differ between the folds. Read from the fold facts alone: no plugin is loaded.
 */
export function provenanceOf(facts: readonly FoldFact[]): TableProvenance {
  const done = facts.filter((f) => f.status === 'done');
  const budget: TableProvenance['budget'] = {};
  const options: TableProvenance['options'] = {};
  // Settings come from the variant signature: read each distinct (method, variant) once, not per fold.
  // (Nested maps and plain loops: this runs over every fold of a 100,000-fold store's tables.)
  const byMethod = new Map<string, Set<string>>();
  const seedSet = new Set<number>();
  const backendSet = new Set<string>();
  const revisionSet = new Set<string>();
  let runs = 0;
  for (const f of done) {
    const v = byMethod.get(f.method);
    if (v) v.add(f.variant);
    else byMethod.set(f.method, new Set([f.variant]));
    for (const x of f.seedList) seedSet.add(x);
    for (const x of f.backends) backendSet.add(x);
    for (const x of f.revisions) revisionSet.add(x);
    runs += f.runs;
  }
  const all = [...byMethod].flatMap(([method, vs]) =>
    [...vs].map((variant) => ({ method, settings: settingsOf(variant) })),
  );
  const valuesOf = (of: typeof all, key: string) =>
    sorted(of.flatMap((v) => (v.settings[key] === undefined ? [] : [v.settings[key]])));
  for (const [key, label] of BUDGET) {
    const values = valuesOf(all, key);
    if (values.length) budget[key] = { label, values };
  }
  const methods = [...new Set(all.map((v) => v.method))].sort(byMethodOrder);
  for (const method of methods) {
    const of = all.filter((v) => v.method === method);
    for (const [key, label] of OPTIONS) {
      const values = valuesOf(of, key);
      if (!values.length) continue;
      options[method] ??= {};
      options[method][key] = { label, values };
    }
  }
  const seeds = [...seedSet].sort((a, b) => a - b);
  const backends = [...backendSet].sort();
  const revisions = [...revisionSet].sort();
  const differing = [
    ...Object.entries(budget)
      .filter(([, b]) => b.values.length > 1)
      .map(([, b]) => b.label),
    ...Object.entries(options).flatMap(([method, o]) =>
      Object.values(o)
        .filter((b) => b.values.length > 1)
        .map((b) => `${displayName(method)} ${b.label}`),
    ),
    ...(seeds.length > 1 ? ['seeds'] : []),
    ...(backends.length > 1 ? ['backend'] : []),
    ...(revisions.length > 1 ? ['code revision'] : []),
  ];
  return {
    folds: runs,
    budget,
    options,
    seeds,
    backends,
    revisions,
    differing,
  };
}

const list = (values: readonly unknown[]) =>
  values.map((v) => (typeof v === 'string' ? v : canonicalJson(v))).join(', ');

/** The table's notes on its budget and provenance: two or three lines, whatever the format. */
export function provenanceNotes(p: TableProvenance): string[] {
  if (p.folds === 0) return [];
  const budget = Object.values(p.budget)
    .map((b) => `${b.label} ${list(b.values)}`)
    .join('; ');
  const options = Object.entries(p.options)
    .map(
      ([method, o]) =>
        `${displayName(method)} ${Object.values(o)
          .map((b) => `${b.label} ${list(b.values)}`)
          .join(', ')}`,
    )
    .join('; ');
  const revisions = p.revisions.map((r) => (r === '' ? 'unrecorded (stored before revisions were)' : r));
  return [
    `training budget: ${budget}${options ? `; ${options}` : ''}`,
    `provenance: ${p.folds} fold run(s); seeds ${list(p.seeds)}; backend ${list(p.backends)}; code revision ${list(revisions)}`,
    ...(p.differing.length
      ? [`the folds of this table differ in: ${p.differing.join(', ')} (each lists every value above)`]
      : []),
  ];
}
