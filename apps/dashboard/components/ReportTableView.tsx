'use client';
import type { ReportCell, ReportColumn, ReportRow, ReportTable } from '@cmcrd/api/contract';
import { countText, isComplete, markText, paperText, valueText } from '@cmcrd/reports/format';
import Link from 'next/link';
import { Fragment } from 'react';

/** The paper's side of a table: which cells have a value to show, and whether any shows a Δ. */
function paperSide(t: ReportTable): { columns: boolean; notComparable: string[]; delta: boolean } {
  const refs = t.cells.flat().flatMap((c) => (c?.paper ? [c.paper] : []));
  const comparable = refs.filter((p) => p.comparable);
  return {
    // The paper's columns only when some cell has a value of the paper's to stand beside ours.
    columns: comparable.length > 0,
    notComparable: [...new Set(refs.flatMap((p) => (p.comparable ? [] : [p.note])))],
    delta: comparable.some((p) => p.comparable && p.delta !== null),
  };
}

export function SyntheticBadge() {
  return (
    <span
      className="badge synthetic"
      data-testid="synthetic-badge"
      title="Synthetic data: not comparable with the paper"
    >
      synthetic data
    </span>
  );
}

/**
 * Any report table as the API returns it: the value and its fold count in every cell, the best
 * cells marked, significant gains and losses marked apart (▲ / ▼), incomplete cells flagged, the
 * paper's value and delta beside ours.
 */
export function ReportTableView(props: {
  table: ReportTable;
  linkFor?: (row: ReportRow, column: ReportColumn) => string | null;
}) {
  const t = props.table;
  const side = paperSide(t);
  const paper = side.columns;
  const synthetic = t.columns.some((c) => c.synthetic);
  // The Δ footnote only under a table that shows a Δ; a reason the paper's values are left out
  // ("synthetic — not comparable") once per table, not in every cell.
  const notes = t.notes.filter((n) => side.delta || !n.startsWith('Δ'));
  const cellView = (c: ReportCell | null, row: ReportRow, column: ReportColumn) => {
    if (!c) return <td className="na" />;
    const incomplete = !isComplete(c);
    const mark = markText(c);
    const href = props.linkFor?.(row, column) ?? null;
    const value = (
      <>
        <span className="value">{valueText(t, c)}</span>{' '}
        {mark && mark !== '*' && <span className={`mark ${c.significant}`}>{mark} </span>}
        <span className={incomplete ? 'count incomplete' : 'count'}>({countText(c)})</span>
      </>
    );
    return (
      <td
        className={
          [c.marked ? 'marked' : '', c.significant ?? '', incomplete ? 'incomplete' : ''].join(' ').trim() ||
          undefined
        }
        data-row={row.label}
        data-column={column.label}
        data-value={c.value ?? ''}
        title={c.missing.length ? `missing or failed: ${c.missing.join(', ')}` : undefined}
      >
        {href ? (
          <Link prefetch={false} href={href}>
            {value}
          </Link>
        ) : (
          value
        )}
      </td>
    );
  };
  return (
    <section className="report" data-testid="report-table" data-table={t.table}>
      <h2>
        {t.title.replace(/ — (SYNTHETIC data|some columns SYNTHETIC|some rows SYNTHETIC)$/, '')}{' '}
        {synthetic && <SyntheticBadge />}
      </h2>
      <div className="scroll">
        <table>
          <thead>
            <tr>
              <th />
              {t.columns.map((c) => (
                <th key={c.key} colSpan={paper ? 2 : 1}>
                  {c.label}
                  {c.synthetic && !t.columns.every((x) => x.synthetic) ? ' (synthetic)' : ''}
                </th>
              ))}
            </tr>
            {paper && (
              <tr className="sub">
                <th />
                {t.columns.map((c) => (
                  <Fragment key={c.key}>
                    <th>ours</th>
                    <th className="paper">paper</th>
                  </Fragment>
                ))}
              </tr>
            )}
          </thead>
          <tbody>
            {t.rows.map((row, i) => (
              <tr key={row.key}>
                <th scope="row">{row.label}</th>
                {t.columns.map((column, j) => {
                  const c = t.cells[i][j];
                  return (
                    <Fragment key={column.key}>
                      {cellView(c, row, column)}
                      {paper && (
                        <td
                          className={c?.paper && !c.paper.comparable ? 'paper muted' : 'paper'}
                          title={c?.paper && !c.paper.comparable ? c.paper.note : undefined}
                        >
                          {c?.paper && !c.paper.comparable ? '·' : c ? paperText(t, c) : ''}
                        </td>
                      )}
                    </Fragment>
                  );
                })}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <ul className="notes">
        {side.notComparable.map((n) => (
          <li key={`paper-${n}`} data-testid="paper-note">
            the paper's values: {n}
          </li>
        ))}
        {notes.map((n) => (
          <li key={n}>{n}</li>
        ))}
      </ul>
    </section>
  );
}
