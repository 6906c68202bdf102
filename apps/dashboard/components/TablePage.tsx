'use client';
import type { Facets, Report, ReportColumn, ReportRow, ReportTable } from '@cmcrd/api/contract';
import { type ReactNode, useEffect } from 'react';
import { query, useApi } from '../lib/api';
import { useUrlState } from '../lib/url-state';
import { TABLE_PAGES, type TablePageName } from '../lib/table-pages';
import { ExportButtons } from './ExportButtons';
import { ReportTableView } from './ReportTableView';
import { type Option, Select } from './Select';
import { Status } from './Status';

export interface FilterSpec {
  name: string;
  label: string;
  options: (f: Facets) => Option[];
  /** The value used when the URL has none; undefined means "all". */
  preferred?: (f: Facets) => string | undefined;
  /** Label of the "all" choice; without it the filter always has a value. */
  allowAll?: string;
}

const PROTOCOL_ORDER = ['within-subject', 'cross-subject'];
const DIRECTION_ORDER = ['em->eeg', 'eeg->em'];
const rank = (order: string[]) => (a: string, b: string) =>
  (order.indexOf(a) + 1 || 99) - (order.indexOf(b) + 1 || 99) || a.localeCompare(b);

const protocolFilter: FilterSpec = {
  name: 'protocol',
  label: 'Protocol',
  options: (f) => [...f.protocols].sort(rank(PROTOCOL_ORDER)).map((p) => ({ value: p, label: p })),
  preferred: (f) => [...f.protocols].sort(rank(PROTOCOL_ORDER))[0],
};

const directionFilter: FilterSpec = {
  name: 'direction',
  label: 'Direction',
  options: (f) =>
    f.directions
      .filter((d) => d !== 'none')
      .sort(rank(DIRECTION_ORDER))
      .map((d) => ({
        value: d,
        label: d === 'em->eeg' ? 'EM-guided EEG (em->eeg)' : d === 'eeg->em' ? 'EEG-guided EM (eeg->em)' : d,
      })),
  preferred: (f) => f.directions.filter((d) => d !== 'none').sort(rank(DIRECTION_ORDER))[0],
};

const datasetFilter: FilterSpec = {
  name: 'dataset',
  label: 'Dataset',
  options: (f) =>
    f.datasets.map((d) => ({ value: d.name, label: d.synthetic ? `${d.name} (synthetic)` : d.name })),
  allowAll: 'all datasets',
};

const backboneOptions = (f: Facets) => f.backbones.map((b) => ({ value: b, label: b }));

/** The menu of each URL parameter a table page may have: when required (a default) and when optional ("all"). */
const FILTERS: Record<string, { required?: FilterSpec; optional?: FilterSpec }> = {
  protocol: { required: protocolFilter },
  direction: { required: directionFilter },
  dataset: { optional: datasetFilter },
  backbone: {
    required: {
      name: 'backbone',
      label: 'Backbone',
      options: backboneOptions,
      preferred: (f) => (f.backbones.includes('dnn') ? 'dnn' : f.backbones[0]),
    },
    optional: { name: 'backbone', label: 'Backbone', options: backboneOptions, allowAll: 'all backbones' },
  },
};

/** A page's filter menus, as lib/table-pages.ts lists its parameters (parameters without a menu, like `family`, are the page's own). */
function filtersOf(table: TablePageName): FilterSpec[] {
  const p = TABLE_PAGES[table];
  return [
    ...p.required.map((n) => FILTERS[n]?.required),
    ...p.optional.map((n) => FILTERS[n]?.optional),
  ].filter((f): f is FilterSpec => f !== undefined);
}

/**
 * A report table page: filters in the URL, the table(s) the API builds for exactly those
 * filters, export links for the same selection.
 */
export function TablePage(props: {
  table: TablePageName;
  heading: string;
  intro: string;
  extra?: Record<string, string | undefined>;
  /** More controls for the filter row (their values go into `extra`). */
  extraFilters?: ReactNode;
  linkFor?: (t: ReportTable, row: ReportRow, column: ReportColumn) => string | null;
}) {
  const { get, set } = useUrlState();
  const facets = useApi<Facets>('/api/facets');
  const filters = filtersOf(props.table);
  const values: Record<string, string | undefined> = {};
  for (const f of filters)
    values[f.name] = get(f.name) ?? (facets.data && f.preferred ? f.preferred(facets.data) : undefined);
  const missingDefaults = filters.filter(
    (f) => get(f.name) === undefined && f.preferred && facets.data && f.preferred(facets.data) !== undefined,
  );
  // Defaults go into the URL too, so that what is on screen is what a copied link shows.
  useEffect(() => {
    if (missingDefaults.length && facets.data)
      set(Object.fromEntries(missingDefaults.map((f) => [f.name, f.preferred!(facets.data!)])));
  });
  // With every defaulted filter already in the URL, the table is fetched at once, beside the facets.
  const needsFacets = filters.some((f) => f.preferred && get(f.name) === undefined);
  const ready = needsFacets ? facets.data !== null && missingDefaults.length === 0 : true;
  const qs = query({ ...values, ...props.extra });
  const report = useApi<Report>(ready ? `/api/tables/${props.table}${qs}` : null);
  return (
    <>
      <h1>{props.heading}</h1>
      <p className="muted">{props.intro}</p>
      <div className="filters">
        {facets.data &&
          filters.map((f) => (
            <Select
              key={f.name}
              name={f.name}
              label={f.label}
              value={values[f.name]}
              options={f.options(facets.data!)}
              allowAll={f.allowAll}
              onChange={(v) => set({ [f.name]: v })}
            />
          ))}
        {props.extraFilters}
        <ExportButtons table={props.table} queryString={qs} />
      </div>
      <Status
        loading={facets.loading || report.loading}
        error={facets.error ?? report.error}
        empty={report.data?.tables.length === 0}
        emptyText="No folds in the store match these filters for this table."
      />
      {report.data?.tables.map((t) => (
        <ReportTableView
          key={`${t.title}|${JSON.stringify(t.protocol)}`}
          table={t}
          linkFor={props.linkFor ? (row, column) => props.linkFor!(t, row, column) : undefined}
        />
      ))}
    </>
  );
}

/** The drill-down of a cell of an accuracy table: its column opened up, with this row selected. */
export function cellLink(t: ReportTable, row: ReportRow, column: ReportColumn): string | null {
  const protocol = column.protocol ?? t.scope.protocol;
  const dataset = column.dataset;
  const backbone = column.backbone ?? t.scope.backbone;
  if (!protocol || !dataset || !backbone) return null;
  const direction = t.scope.direction ?? (row.direction && row.direction !== 'none' ? row.direction : 'none');
  return `/cell/${query({ dataset, protocol, backbone, direction, row: row.label, method: row.method, ...t.protocol })}`;
}
