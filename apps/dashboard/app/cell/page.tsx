'use client';
import type { CellFolds, Fold, FoldEmbedding, FoldEpochs } from '@cmcrd/api/contract';
import Link from 'next/link';
import { Suspense } from 'react';
import { Curves, EmbeddingPlot, FoldBars } from '../../components/charts';
import { Confusion } from '../../components/Confusion';
import { ModelPanel } from '../../components/ModelPanel';
import { SyntheticBadge } from '../../components/ReportTableView';
import { Select } from '../../components/Select';
import { Status } from '../../components/Status';
import { query, useApi } from '../../lib/api';
import { classNames } from '../../lib/classes';
import { useUrlState } from '../../lib/url-state';

/** One fold's embedding, or why there is none. */
function EmbeddingPanel(props: {
  foldId: number | undefined;
  title: string;
  dataset: string;
  testId: string;
  /** Why there is no fold to show (default: none in the store). */
  absent?: string;
}) {
  const e = useApi<FoldEmbedding>(props.foldId === undefined ? null : `/api/folds/${props.foldId}/embedding`);
  const k = e.data ? Math.max(...e.data.labels) + 1 : 0;
  return (
    <div className="panel">
      <h3>{props.title}</h3>
      {props.foldId === undefined ? (
        <p className="muted">{props.absent ?? 'No such fold in the store.'}</p>
      ) : e.error ? (
        <p className="muted">
          No embedding stored for fold {props.foldId} (`cmcrd run` and the demo store them; sweeps with
          `--embeddings`).
        </p>
      ) : e.data ? (
        <EmbeddingPlot
          points={e.data.points}
          labels={e.data.labels}
          classes={classNames(props.dataset, k)}
          testId={props.testId}
        />
      ) : (
        <p className="muted">Loading…</p>
      )}
    </div>
  );
}

function FoldDetail(props: { foldId: number; dataset: string }) {
  const fold = useApi<Fold>(`/api/folds/${props.foldId}`);
  const epochs = useApi<FoldEpochs>(`/api/folds/${props.foldId}/epochs`);
  const f = fold.data;
  return (
    <>
      <Status loading={fold.loading} error={fold.error} />
      {f && (
        <p data-testid="fold-summary">
          Fold {f.id}: {f.method}
          {f.direction !== 'none' ? ` (${f.direction})` : ''} on {f.foldKey}, seed {f.seed}, tested on{' '}
          {f.testModality}: accuracy {f.accuracy === null ? '—' : `${(100 * f.accuracy).toFixed(2)} %`}
          {f.balancedAccuracy !== null ? `, balanced ${(100 * f.balancedAccuracy).toFixed(2)} %` : ''}
          {f.teacherAccuracy !== null ? `; its teacher ${(100 * f.teacherAccuracy).toFixed(2)} %` : ''}
          {f.selectedEpoch !== null ? `; epoch ${f.selectedEpoch} selected` : ''}.
        </p>
      )}
      <div className="grid2">
        <div className="panel">
          <h3>Learning curves</h3>
          {epochs.data && epochs.data.epochs.length > 0 ? (
            <Curves epochs={epochs.data.epochs} />
          ) : (
            <p className="muted">{epochs.loading ? 'Loading…' : 'No epochs recorded for this fold.'}</p>
          )}
        </div>
        <div className="panel">
          <h3>Confusion matrix (test split)</h3>
          {f?.confusion ? (
            <Confusion matrix={f.confusion} classes={classNames(props.dataset, f.confusion.length)} />
          ) : (
            <p className="muted">{fold.loading ? 'Loading…' : 'None stored.'}</p>
          )}
        </div>
      </div>
      {f && f.testModality !== 'eeg+em' && (
        <ModelPanel foldId={f.id} accuracy={f.accuracy} confusion={f.confusion} classes={classNames(props.dataset, f.confusion?.length ?? 0)} />
      )}
    </>
  );
}

function Cell() {
  const { get, set } = useUrlState();
  const dataset = get('dataset') ?? '';
  const protocol = get('protocol') ?? '';
  const backbone = get('backbone') ?? '';
  const direction = get('direction') ?? 'none';
  const flags = {
    normalisation: get('normalisation'),
    mccSource: get('mccSource'),
    epochSelection: get('epochSelection'),
  };
  const cell = useApi<CellFolds>(
    dataset && protocol && backbone
      ? `/api/cell${query({ dataset, protocol, backbone, direction, ...flags })}`
      : null,
  );
  const rows = cell.data?.rows ?? [];
  const selected =
    rows.find((r) => r.label === get('row')) ?? rows.find((r) => r.method === get('method')) ?? rows[0];
  const foldKeys = cell.data?.foldKeys ?? [];
  const fold = get('fold') ?? foldKeys.find((k) => selected?.folds[k]) ?? foldKeys[0];
  const foldId = selected && fold ? selected.folds[fold]?.foldId : undefined;
  // Without distillation: the unimodal model on the same modality as the selected one.
  const testModality =
    selected?.direction === 'none'
      ? selected.method === 'em-only'
        ? 'em'
        : 'eeg'
      : (selected?.direction.split('->')[1] ?? 'eeg');
  const baseline = rows.find((r) => r.method === (testModality === 'em' ? 'em-only' : 'eeg-only'));
  const synthetic = dataset.startsWith('synthetic-');
  if (!dataset || !protocol || !backbone)
    return (
      <p className="error">
        This page needs dataset, protocol and backbone in its URL; open it from a table cell.
      </p>
    );
  return (
    <>
      <h1>
        {dataset} · {protocol} · {backbone} · {direction === 'none' ? 'unimodal' : direction}{' '}
        {synthetic && <SyntheticBadge />}
      </h1>
      <p className="muted">
        <Link
          prefetch={false}
          href={`/comparison/${query({ protocol, direction: direction === 'none' ? undefined : direction, dataset })}`}
        >
          Back to the comparison table
        </Link>
        {cell.data?.protocolFlags &&
          ` · protocol: normalisation=${cell.data.protocolFlags.normalisation}, mccSource=${cell.data.protocolFlags.mccSource}, epochSelection=${cell.data.protocolFlags.epochSelection}`}
      </p>
      <Status
        loading={cell.loading}
        error={cell.error}
        empty={cell.data?.rows.length === 0}
        emptyText="No folds in the store for this column."
      />
      {cell.data && rows.length > 0 && (
        <>
          <h2>Accuracy per subject, every method</h2>
          <FoldBars foldKeys={foldKeys} rows={rows} highlight={selected?.label} />
          <div className="filters">
            <Select
              name="row"
              label="Method"
              value={selected?.label}
              options={rows.map((r) => ({ value: r.label, label: r.label }))}
              onChange={(v) => set({ row: v, method: undefined })}
            />
            <Select
              name="fold"
              label="Fold"
              value={fold}
              options={foldKeys.map((k) => ({
                value: k,
                label: selected?.folds[k]
                  ? `${k} (${selected.folds[k].accuracy.toFixed(2)} %)`
                  : `${k} (none)`,
              }))}
              onChange={(v) => set({ fold: v })}
            />
          </div>
          {foldId !== undefined ? (
            <FoldDetail key={foldId} foldId={foldId} dataset={dataset} />
          ) : (
            <p className="muted">
              {selected?.label} has no finished fold {fold}.
            </p>
          )}
          <h2>Test features, t-SNE: without and with distillation</h2>
          <div className="grid2">
            <EmbeddingPanel
              key={`base-${baseline?.folds[fold ?? '']?.foldId}`}
              foldId={baseline && fold ? baseline.folds[fold]?.foldId : undefined}
              title={`${baseline?.label ?? (testModality === 'em' ? 'em-only' : 'eeg-only')} (no teacher)`}
              dataset={dataset}
              testId="embedding-baseline"
            />
            <EmbeddingPanel
              key={`sel-${foldId}`}
              // Fusion averages two models' class probabilities: it has no feature space of its own, so no embedding is asked for.
              foldId={selected?.method === baseline?.method || selected?.method === 'fusion' ? undefined : foldId}
              title={
                selected?.method === baseline?.method
                  ? 'choose a distilled method above'
                  : (selected?.label ?? '')
              }
              absent={
                selected?.method === 'fusion'
                  ? 'Fusion averages the class probabilities of the EEG and EM models: it has no features of its own to embed.'
                  : undefined
              }
              dataset={dataset}
              testId="embedding-selected"
            />
          </div>
        </>
      )}
    </>
  );
}

export default function Page() {
  return (
    <Suspense fallback={<p className="muted">Loading…</p>}>
      <Cell />
    </Suspense>
  );
}
