'use client';
import type { Epoch } from '@cmcrd/api/contract';
import {
  Bar,
  BarChart,
  CartesianGrid,
  Legend,
  Line,
  LineChart,
  ResponsiveContainer,
  Scatter,
  ScatterChart,
  Tooltip,
  XAxis,
  YAxis,
  ZAxis,
} from 'recharts';
import { methodColour } from '../lib/method-colours';

const PALETTE = [
  '#2453a6',
  '#d97706',
  '#059669',
  '#dc2626',
  '#7c3aed',
  '#0891b2',
  '#be185d',
  '#65a30d',
  '#9333ea',
  '#ea580c',
  '#475569',
  '#0f766e',
];
export const colour = (i: number) => PALETTE[i % PALETTE.length];

/** Legends list the series in the order they are drawn (the table's), not sorted by name (recharts' default). */
const legendProps = { wrapperStyle: { fontSize: 11 }, itemSorter: null } as const;
const axisLabel = (value: string, axis: 'x' | 'y') =>
  axis === 'x'
    ? ({ value, position: 'insideBottom', offset: -4, fontSize: 11 } as const)
    : ({ value, angle: -90, position: 'insideLeft', fontSize: 11, style: { textAnchor: 'middle' } } as const);

/** Per-subject accuracy of every row of a column, side by side. */
export function FoldBars(props: {
  foldKeys: string[];
  rows: { label: string; method: string; folds: Record<string, { accuracy: number }> }[];
  highlight?: string;
}) {
  const data = props.foldKeys.map((k) => ({
    fold: k,
    ...Object.fromEntries(props.rows.map((r) => [r.label, r.folds[k]?.accuracy ?? null])),
  }));
  return (
    <div data-testid="fold-bars" style={{ width: '100%', height: 320 }}>
      <ResponsiveContainer>
        <BarChart data={data} margin={{ top: 8, right: 8, bottom: 16, left: 8 }}>
          <CartesianGrid strokeDasharray="3 3" vertical={false} />
          <XAxis dataKey="fold" tick={{ fontSize: 11 }} label={axisLabel('fold (test subject)', 'x')} />
          <YAxis domain={[0, 100]} unit="%" tick={{ fontSize: 11 }} label={axisLabel('test accuracy', 'y')} />
          <Tooltip formatter={(v) => (typeof v === 'number' ? `${v.toFixed(2)} %` : '—')} />
          <Legend {...legendProps} verticalAlign="top" />
          {props.rows.map((r) => (
            <Bar
              key={r.label}
              dataKey={r.label}
              fill={methodColour(r.method)}
              fillOpacity={props.highlight && props.highlight !== r.label ? 0.45 : 1}
              isAnimationActive={false}
            />
          ))}
        </BarChart>
      </ResponsiveContainer>
    </div>
  );
}

/** Accuracy (train, validation, test) and the loss parts per epoch. */
export function Curves(props: { epochs: Epoch[] }) {
  const parts = [...new Set(props.epochs.flatMap((e) => Object.keys(e.losses)))];
  const data = props.epochs.map((e) => ({
    epoch: e.epoch,
    train: 100 * e.trainAccuracy,
    validation: e.valAccuracy === null ? null : 100 * e.valAccuracy,
    test: e.testAccuracy === null ? null : 100 * e.testAccuracy,
    ...e.losses,
  }));
  const hasVal = props.epochs.some((e) => e.valAccuracy !== null);
  return (
    <div data-testid="curves" className="grid2">
      <div style={{ height: 240 }}>
        <ResponsiveContainer>
          <LineChart data={data} margin={{ top: 8, right: 8, bottom: 16, left: 8 }}>
            <CartesianGrid strokeDasharray="3 3" />
            <XAxis dataKey="epoch" tick={{ fontSize: 11 }} label={axisLabel('epoch', 'x')} />
            <YAxis unit="%" tick={{ fontSize: 11 }} domain={[0, 100]} label={axisLabel('accuracy', 'y')} />
            <Tooltip formatter={(v) => (typeof v === 'number' ? v.toFixed(2) : '—')} />
            <Legend {...legendProps} verticalAlign="top" />
            <Line dataKey="train" stroke={colour(0)} dot={false} isAnimationActive={false} />
            {hasVal && <Line dataKey="validation" stroke={colour(1)} dot={false} isAnimationActive={false} />}
            <Line dataKey="test" stroke={colour(3)} dot={false} isAnimationActive={false} />
          </LineChart>
        </ResponsiveContainer>
      </div>
      <div style={{ height: 240 }}>
        <ResponsiveContainer>
          <LineChart data={data} margin={{ top: 8, right: 8, bottom: 16, left: 8 }}>
            <CartesianGrid strokeDasharray="3 3" />
            <XAxis dataKey="epoch" tick={{ fontSize: 11 }} label={axisLabel('epoch', 'x')} />
            <YAxis tick={{ fontSize: 11 }} label={axisLabel('training loss', 'y')} />
            <Tooltip formatter={(v) => (typeof v === 'number' ? v.toFixed(4) : '—')} />
            <Legend {...legendProps} verticalAlign="top" />
            {parts.map((p, i) => (
              <Line key={p} dataKey={p} stroke={colour(i + 4)} dot={false} isAnimationActive={false} />
            ))}
          </LineChart>
        </ResponsiveContainer>
      </div>
    </div>
  );
}

/** A 2-D embedding coloured by true class. */
export function EmbeddingPlot(props: {
  points: [number, number][];
  labels: number[];
  classes: string[];
  testId: string;
}) {
  const byClass = props.classes.map((name, k) => ({
    name,
    data: props.points.filter((_, i) => props.labels[i] === k).map(([x, y]) => ({ x, y })),
  }));
  return (
    <div data-testid={props.testId} style={{ width: '100%', height: 300 }}>
      <ResponsiveContainer>
        <ScatterChart margin={{ top: 8, right: 8, bottom: 16, left: 8 }}>
          <XAxis type="number" dataKey="x" tick={false} label={axisLabel('t-SNE 1', 'x')} />
          <YAxis type="number" dataKey="y" tick={false} label={axisLabel('t-SNE 2', 'y')} />
          <ZAxis range={[14, 14]} />
          <Legend {...legendProps} verticalAlign="top" />
          {byClass.map((c, k) => (
            <Scatter key={c.name} name={c.name} data={c.data} fill={colour(k)} isAnimationActive={false} />
          ))}
        </ScatterChart>
      </ResponsiveContainer>
    </div>
  );
}
