'use client';
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

/** Per-subject accuracy of every row of a column, side by side. */
export function FoldBars(props: {
  foldKeys: string[];
  rows: { label: string; folds: Record<string, { accuracy: number }> }[];
  highlight?: string;
}) {
  const data = props.foldKeys.map((k) => ({
    fold: k,
    ...Object.fromEntries(props.rows.map((r) => [r.label, r.folds[k]?.accuracy ?? null])),
  }));
  return (
    <div data-testid="fold-bars" style={{ width: '100%', height: 320 }}>
      <ResponsiveContainer>
        <BarChart data={data} margin={{ top: 8, right: 8, bottom: 8, left: 0 }}>
          <CartesianGrid strokeDasharray="3 3" vertical={false} />
          <XAxis dataKey="fold" tick={{ fontSize: 11 }} />
          <YAxis domain={[0, 100]} unit="%" tick={{ fontSize: 11 }} />
          <Tooltip formatter={(v) => (typeof v === 'number' ? `${v.toFixed(2)} %` : '—')} />
          <Legend wrapperStyle={{ fontSize: 11 }} />
          {props.rows.map((r, i) => (
            <Bar
              key={r.label}
              dataKey={r.label}
              fill={colour(i)}
              fillOpacity={props.highlight && props.highlight !== r.label ? 0.45 : 1}
              isAnimationActive={false}
            />
          ))}
        </BarChart>
      </ResponsiveContainer>
    </div>
  );
}

export interface EpochPoint {
  epoch: number;
  losses: Record<string, number>;
  trainAccuracy: number;
  valAccuracy: number | null;
  testAccuracy: number | null;
}

/** Accuracy (train, validation, test) and the loss parts per epoch. */
export function Curves(props: { epochs: EpochPoint[] }) {
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
          <LineChart data={data}>
            <CartesianGrid strokeDasharray="3 3" />
            <XAxis dataKey="epoch" tick={{ fontSize: 11 }} />
            <YAxis unit="%" tick={{ fontSize: 11 }} domain={[0, 100]} />
            <Tooltip formatter={(v) => (typeof v === 'number' ? v.toFixed(2) : '—')} />
            <Legend wrapperStyle={{ fontSize: 11 }} />
            <Line dataKey="train" stroke={colour(0)} dot={false} isAnimationActive={false} />
            {hasVal && <Line dataKey="validation" stroke={colour(1)} dot={false} isAnimationActive={false} />}
            <Line dataKey="test" stroke={colour(3)} dot={false} isAnimationActive={false} />
          </LineChart>
        </ResponsiveContainer>
      </div>
      <div style={{ height: 240 }}>
        <ResponsiveContainer>
          <LineChart data={data}>
            <CartesianGrid strokeDasharray="3 3" />
            <XAxis dataKey="epoch" tick={{ fontSize: 11 }} />
            <YAxis tick={{ fontSize: 11 }} />
            <Tooltip formatter={(v) => (typeof v === 'number' ? v.toFixed(4) : '—')} />
            <Legend wrapperStyle={{ fontSize: 11 }} />
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
        <ScatterChart margin={{ top: 8, right: 8, bottom: 8, left: 0 }}>
          <XAxis type="number" dataKey="x" hide />
          <YAxis type="number" dataKey="y" hide />
          <ZAxis range={[14, 14]} />
          <Legend wrapperStyle={{ fontSize: 11 }} />
          {byClass.map((c, k) => (
            <Scatter key={c.name} name={c.name} data={c.data} fill={colour(k)} isAnimationActive={false} />
          ))}
        </ScatterChart>
      </ResponsiveContainer>
    </div>
  );
}
