'use client';
import type { CellSummary } from '@cmcrd/api/contract';
import Link from 'next/link';
import { query } from '../lib/api';
import { methodColour } from '../lib/method-colours';
import { useUrlState } from '../lib/url-state';
import { Select } from './Select';
import { Status } from './Status';

type Key = 'dataset' | 'protocol' | 'backbone' | 'method' | 'direction' | 'seeds' | 'folds' | 'accuracy';

const COLUMNS: { key: Key; label: string; numeric?: boolean }[] = [
  { key: 'dataset', label: 'dataset' },
  { key: 'protocol', label: 'protocol' },
  { key: 'backbone', label: 'backbone' },
  { key: 'method', label: 'method' },
  { key: 'direction', label: 'direction' },
  { key: 'seeds', label: 'seeds', numeric: true },
  { key: 'folds', label: 'folds', numeric: true },
  { key: 'accuracy', label: 'mean accuracy', numeric: true },
];

/** The menus: one per identity column; each offers only the values that cells here have. */
const FILTERS = ['dataset', 'protocol', 'backbone', 'method', 'direction'] as const;

const settings = (o: Record<string, unknown>) =>
  Object.entries(o)
    .map(([k, v]) => `${k}=${typeof v === 'object' ? JSON.stringify(v) : String(v)}`)
    .join(', ');

/** The cell's method options, as shown after its method (the training settings are in its tooltip). */
const variantText = (c: CellSummary): string => settings(c.options);

const sortValue = (c: CellSummary, key: Key): string | number =>
  key === 'accuracy' ? (c.meanAccuracy ?? -1) : key === 'method' ? `${c.method} ${variantText(c)}` : c[key];

/**
 * Every cell of the store in one table: sortable by any column (click its header), filtered by
 * the menus and the search box; the sort, the filters and the search live in the URL.
 */
export function CellsTable(props: { cells: CellSummary[] | null; loading: boolean; error: string | null }) {
  const { get, set } = useUrlState();
  const all = props.cells ?? [];
  const sort = (COLUMNS.find((c) => c.key === get('sort'))?.key ?? 'dataset') as Key;
  const order = get('order') === 'desc' ? 'desc' : 'asc';
  const search = get('q') ?? '';
  const words = search.toLowerCase().split(/\s+/).filter(Boolean);
  const shown = all
    .filter((c) => FILTERS.every((f) => get(f) === undefined || c[f] === get(f)))
    .filter((c) => {
      const text = `${c.dataset} ${c.protocol} ${c.backbone} ${c.method} ${c.direction} ${variantText(c)}`.toLowerCase();
      return words.every((w) => text.includes(w));
    })
    .sort((a, b) => {
      const x = sortValue(a, sort);
      const y = sortValue(b, sort);
      const d = typeof x === 'number' && typeof y === 'number' ? x - y : String(x).localeCompare(String(y));
      return order === 'asc' ? d : -d;
    });
  const options = (f: (typeof FILTERS)[number]) =>
    [...new Set(all.map((c) => c[f]))].sort().map((v) => ({ value: v, label: v }));
  return (
    <>
      <div className="filters">
        <label className="filter">
          <span>Search</span>
          <input
            type="search"
            data-testid="cells-search"
            placeholder="e.g. cmcrd cross"
            value={search}
            onChange={(e) => set({ q: e.target.value || undefined })}
          />
        </label>
        {FILTERS.map((f) => (
          <Select
            key={f}
            name={f}
            label={f[0].toUpperCase() + f.slice(1)}
            value={get(f)}
            options={options(f)}
            allowAll="all"
            onChange={(v) => set({ [f]: v })}
          />
        ))}
        <span className="muted" data-testid="cells-count">
          {shown.length} of {all.length} cells
        </span>
      </div>
      <Status
        loading={props.loading}
        error={props.error}
        empty={props.cells !== null && shown.length === 0}
        emptyText={all.length ? 'No cells match the search and filters.' : 'No folds in this store yet.'}
      />
      {shown.length > 0 && (
        <div className="scroll">
          <table data-testid="cells">
            <thead>
              <tr>
                {COLUMNS.map((c) => (
                  <th
                    key={c.key}
                    aria-sort={sort === c.key ? (order === 'asc' ? 'ascending' : 'descending') : undefined}
                  >
                    <button
                      type="button"
                      className="sort"
                      data-testid={`sort-${c.key}`}
                      onClick={() =>
                        set({
                          sort: c.key,
                          order: sort === c.key && order === 'asc' ? 'desc' : c.numeric && sort !== c.key ? 'desc' : 'asc',
                        })
                      }
                    >
                      {c.label}
                      {sort === c.key ? (order === 'asc' ? ' ▲' : ' ▼') : ''}
                    </button>
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {shown.map((c) => {
                const variant = variantText(c);
                const key = `${c.dataset}|${c.protocol}|${c.backbone}|${c.method}|${c.direction}|${variant}|${settings(c.training)}`;
                const href = `/cell/${query({
                  dataset: c.dataset,
                  protocol: c.protocol,
                  backbone: c.backbone,
                  direction: c.direction,
                  method: c.method,
                })}`;
                return (
                  <tr key={key} data-testid="cell-row" data-method={c.method}>
                    <td className="text">
                      {c.dataset}
                      {c.synthetic ? <span className="muted"> (synthetic)</span> : null}
                    </td>
                    <td className="text">{c.protocol}</td>
                    <td className="text">{c.backbone}</td>
                    <th scope="row" title={[variant, settings(c.training)].filter(Boolean).join('; ')}>
                      <span className="swatch" style={{ background: methodColour(c.method) }} />
                      {c.method}
                      {variant && <span className="muted variant"> {variant}</span>}
                    </th>
                    <td className="text">{c.direction}</td>
                    <td>{c.seeds}</td>
                    <td>
                      {c.folds}
                      {c.failed > 0 && <span className="error"> ({c.failed} failed)</span>}
                    </td>
                    <td data-col="accuracy">
                      <Link prefetch={false} href={href}>
                        {c.meanAccuracy === null ? '—' : `${(100 * c.meanAccuracy).toFixed(2)} %`}
                      </Link>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}
