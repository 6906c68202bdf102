import type { FoldFact, ReadStore } from '@cmcrd/store/read';
import { byCodePoint, byMethodOrder, perFoldMeans, protocolFlagsOf } from './facts.js';
import type { ProtocolFlags } from './model.js';
import { tableNaming } from './tables.js';

export interface CellFoldsQuery {
  dataset: string;
  protocol: string;
  backbone: string;
  /** The comparison table's direction: its distillers and the unimodal rows; 'none' for the unimodal rows only. */
  direction: string;
  /** The table's protocol options; default: the leak-free defaults' table if there are several. */
  protocolFlags?: Partial<ProtocolFlags>;
  variants?: 'default' | 'all';
}

export interface CellFolds {
  dataset: string;
  protocol: string;
  backbone: string;
  direction: string;
  protocolFlags: ProtocolFlags | null;
  foldKeys: string[];
  rows: {
    key: string;
    label: string;
    method: string;
    direction: string;
    /** Per fold key: the accuracy (%, seeds averaged), how many seeds, and the fold ids (one per seed). */
    folds: Record<string, { accuracy: number; seeds: number; foldId: number }>;
  }[];
}

/**
 * One column of a comparison table opened up: every row's accuracy on every fold (subject), with
 * the fold ids behind them, for the per-subject bars and the drill-down into a fold. Rows are
 * named as in the table.
 */
export function cellFolds(store: ReadStore, q: CellFoldsQuery): CellFolds {
  const all = store.foldFacts({ dataset: q.dataset, protocol: q.protocol, backbone: q.backbone });
  const inTable = all.filter((f) => f.direction === q.direction || f.direction === 'none');
  const optionSets = [...new Set(inTable.map((f) => f.protocolOptions))];
  const wanted = optionSets.find((o) => {
    const flags = protocolFlagsOf(o);
    return Object.entries(q.protocolFlags ?? {}).every(([k, v]) => flags[k as keyof ProtocolFlags] === v);
  });
  const facts = inTable.filter((f) => f.protocolOptions === wanted);
  const { variantOf } = tableNaming(facts);
  const shown = facts.filter((f) => q.variants === 'all' || variantOf(f).isDefault);
  const byRow = new Map<string, FoldFact[]>();
  for (const f of shown) {
    const key = variantOf(f).key;
    byRow.set(key, [...(byRow.get(key) ?? []), f]);
  }
  const rows = [...byRow.entries()].map(([key, list]) => {
    const means = perFoldMeans(list, (f) => f.accuracy);
    const folds: CellFolds['rows'][number]['folds'] = {};
    for (const [foldKey, accuracy] of means) {
      const done = list.filter((f) => f.foldKey === foldKey && f.status === 'done');
      folds[foldKey] = {
        accuracy: 100 * accuracy,
        seeds: Math.max(...done.map((f) => f.seeds)),
        foldId: Math.min(...done.map((f) => f.firstId)),
      };
    }
    return {
      key,
      label: variantOf(list[0]).label,
      method: list[0].method,
      direction: list[0].direction,
      folds,
    };
  });
  rows.sort((a, b) => byMethodOrder(a.method, b.method) || byCodePoint(a.label, b.label));
  return {
    dataset: q.dataset,
    protocol: q.protocol,
    backbone: q.backbone,
    direction: q.direction,
    protocolFlags: wanted ? protocolFlagsOf(wanted) : null,
    foldKeys: [...new Set(shown.map((f) => f.foldKey))].sort(),
    rows,
  };
}
