import reportedJson from '../paper/reported.json' with { type: 'json' };
import { type PaperRef, SYNTHETIC_NOTE } from './model.js';
// The paper prints the methods by the names our tables use (EEG, KD, FitNet, …, CMCRD).
import { BUILTIN_DISPLAY_NAMES } from './display.js';

interface Reported {
  source: string;
  source_file: string;
  units: string;
  tables: Record<string, { caption: string; cells: Record<string, unknown>[] }>;
  uncertain: unknown[];
}

/**
 * The transcription as stored (the project's copy of the paper's Tables 1–7, paper/README.md): every
 * table's cells with their source lines. Imported, not read from disk, so that a page bundles it.
 */
export function paperReported(): Reported {
  return reportedJson as Reported;
}

const DATASETS: Record<string, string> = { seed: 'SEED', 'seed-iv': 'SEED-IV', 'seed-v': 'SEED-V' };
const BACKBONES: Record<string, string> = { dnn: 'DNN', dgcnn: 'DGCNN', bihdm: 'BiHDM' };
const SETTINGS: Record<string, string> = { 'within-subject': 'within', 'cross-subject': 'cross' };

/** Table 5's and Table 6's names of the models. */
export function crossModalModel(method: string, direction: string): string | undefined {
  if (method === 'eeg-only') return 'EEG';
  if (method === 'em-only') return 'EM';
  if (method === 'fusion') return 'EM+EEG';
  if (method === 'cmcrd')
    return direction === 'em->eeg' ? 'EM-guided EEG' : direction === 'eeg->em' ? 'EEG-guided EM' : undefined;
  return undefined;
}

interface Found {
  table: string;
  line: number;
  value: number | null;
  std: number | null;
  note?: string;
}

let index: Map<string, Found> | undefined;

/** One lookup key per paper cell, in our vocabulary. */
function buildIndex(): Map<string, Found> {
  const r = paperReported();
  const out = new Map<string, Found>();
  const put = (key: string[], f: Found) => out.set(key.join('|'), f);
  const cells = (t: string) => r.tables[t].cells as Record<string, string & number & boolean>[];
  for (const [t, setting, direction] of [
    ['t1', 'within', 'em->eeg'],
    ['t2', 'cross', 'em->eeg'],
  ] as const) {
    for (const c of cells(t))
      put(['comparison', setting, direction, c.method, c.dataset, c.backbone], {
        table: t,
        line: c.line,
        value: c.mean,
        std: c.std,
      });
  }
  for (const c of cells('t4'))
    put(['comparison', c.setting, 'eeg->em', c.method, c.dataset, c.backbone], {
      table: 't4',
      line: c.line,
      value: c.mean,
      std: c.std,
    });
  for (const c of cells('t3'))
    put(['significance', c.setting, 'em->eeg', c.versus, c.dataset, c.backbone], {
      table: 't3',
      line: c.line,
      value: c.p,
      std: null,
    });
  for (const c of cells('t5'))
    put(['fusion', c.setting, c.method, c.dataset, c.backbone], {
      table: 't5',
      line: c.line,
      value: c.mean,
      std: c.std,
    });
  for (const c of cells('t6'))
    put(['timing', c.setting, c.model, c.dataset, c.backbone, c.phase], {
      table: 't6',
      line: c.line,
      value: c.seconds,
      std: null,
    });
  for (const c of cells('t7')) {
    put(['ablation', c.setting, String(c.mcc), String(c.us), String(c.iew), c.dataset], {
      table: 't7',
      line: c.line,
      value: c.accuracy,
      std: null,
      ...(c.accuracy === null ? { note: 'illegible in the paper' } : {}),
    });
  }
  return out;
}

function find(key: (string | undefined)[]): Found | undefined {
  if (key.some((k) => k === undefined)) return undefined;
  index ??= buildIndex();
  return index.get(key.join('|'));
}

/** Our dataset name in the paper's vocabulary; synthetic presets and unknown datasets have none. */
export function paperDataset(dataset: string): string | undefined {
  return DATASETS[dataset];
}

export interface PaperCellQuery {
  synthetic: boolean;
  ours: number | null;
  /** Whether the delta is meaningful (accuracies and seconds: yes; p-values: no). */
  withDelta?: boolean;
}

function ref(found: Found | undefined, q: PaperCellQuery): PaperRef | null {
  if (q.synthetic) return { comparable: false, note: SYNTHETIC_NOTE };
  if (!found) return null;
  if (found.value === null)
    return {
      comparable: false,
      note: found.note ?? 'illegible in the paper',
      table: found.table,
      line: found.line,
    };
  const delta = q.withDelta === false || q.ours === null ? null : q.ours - found.value;
  return {
    comparable: true,
    table: found.table,
    line: found.line,
    value: found.value,
    std: found.std,
    delta,
  };
}

/** Tables 1, 2 and 4. */
export function paperComparison(
  c: { protocol: string; direction: string; method: string; dataset: string; backbone: string },
  q: PaperCellQuery,
): PaperRef | null {
  // The unimodal rows (direction 'none') are the same models in Tables 1, 2 and 4.
  const direction = c.direction === 'none' ? 'em->eeg' : c.direction;
  return ref(
    find([
      'comparison',
      SETTINGS[c.protocol],
      direction,
      BUILTIN_DISPLAY_NAMES[c.method],
      DATASETS[c.dataset],
      BACKBONES[c.backbone],
    ]),
    q,
  );
}

/** Table 3 (EM-guided EEG only). */
export function paperSignificance(
  c: { protocol: string; direction: string; baseline: string; dataset: string; backbone: string },
  q: PaperCellQuery,
): PaperRef | null {
  return ref(
    find([
      'significance',
      SETTINGS[c.protocol],
      c.direction,
      BUILTIN_DISPLAY_NAMES[c.baseline],
      DATASETS[c.dataset],
      BACKBONES[c.backbone],
    ]),
    { ...q, withDelta: false },
  );
}

/** Table 5. */
export function paperFusion(
  c: { protocol: string; model: string; dataset: string; backbone: string },
  q: PaperCellQuery,
): PaperRef | null {
  return ref(find(['fusion', SETTINGS[c.protocol], c.model, DATASETS[c.dataset], BACKBONES[c.backbone]]), q);
}

/** Table 6 (DNN only; train and test). */
export function paperTiming(
  c: { protocol: string; model: string; dataset: string; backbone: string; phase: string },
  q: PaperCellQuery,
): PaperRef | null {
  return ref(
    find(['timing', SETTINGS[c.protocol], c.model, DATASETS[c.dataset], BACKBONES[c.backbone], c.phase]),
    q,
  );
}

/** Table 7 (DGCNN, EM-guided EEG). */
export function paperAblation(
  c: {
    protocol: string;
    backbone: string;
    direction: string;
    mcc: boolean;
    us: boolean;
    iew: boolean;
    dataset: string;
  },
  q: PaperCellQuery,
): PaperRef | null {
  if (c.backbone !== 'dgcnn' || c.direction !== 'em->eeg') return q.synthetic ? ref(undefined, q) : null;
  return ref(
    find(['ablation', SETTINGS[c.protocol], String(c.mcc), String(c.us), String(c.iew), DATASETS[c.dataset]]),
    q,
  );
}
