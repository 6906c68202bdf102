'use client';
import { useState } from 'react';
import type { FoldModelInfo } from '@cmcrd/api/contract';
import { useApi } from '../lib/api';
import type { TryItResult } from '../lib/run-exported';
import { Confusion } from './Confusion';

function sameMatrix(a: number[][], b: number[][]): boolean {
  return a.length === b.length && a.every((row, i) => row.length === b[i].length && row.every((v, j) => v === b[i][j]));
}

/**
 * A fold's stored model: "Download model" (the export as a zip) and "Try it", which runs the
 * exported model in this browser (TensorFlow.js, cpu backend) on the fold's test windows and shows
 * its accuracy and confusion matrix beside the stored ones.
 */
export function ModelPanel(props: { foldId: number; accuracy: number | null; confusion: number[][] | null; classes: string[] }) {
  const info = useApi<FoldModelInfo>(`/api/folds/${props.foldId}/model-info`);
  const [state, setState] = useState<{ running: boolean; result: TryItResult | null; error: string | null }>({ running: false, result: null, error: null });
  if (info.loading || info.error || !info.data) return null;
  if (!info.data.stored) {
    return (
      <p className="muted" data-testid="no-model">
        No model stored for this fold (kept by `cmcrd run` and the demo; sweeps with `--keep-models`).
      </p>
    );
  }
  const tryIt = async () => {
    setState({ running: true, result: null, error: null });
    try {
      const { runExportedModel } = await import('../lib/run-exported');
      const result = await runExportedModel(props.foldId);
      // Read by the browser test (test/try-it.test.ts), which compares it with Node's predictions.
      (globalThis as { __cmcrdTryIt?: TryItResult }).__cmcrdTryIt = result;
      setState({ running: false, result, error: null });
    } catch (e) {
      setState({ running: false, result: null, error: (e as Error).message });
    }
  };
  const r = state.result;
  const matches = r && props.accuracy !== null && props.confusion ? r.accuracy === props.accuracy && sameMatrix(r.confusion, props.confusion) : null;
  return (
    <div className="panel" data-testid="model-panel">
      <h3>The trained model ({(info.data.modality ?? '').toUpperCase()} in)</h3>
      <p>
        <a className="button" href={`/api/folds/${props.foldId}/model`} download data-testid="download-model">
          Download model
        </a>{' '}
        <button type="button" className="button" onClick={tryIt} disabled={state.running} data-testid="try-it">
          {state.running ? 'Running…' : 'Try it in this browser'}
        </button>{' '}
        <span className="muted">A TensorFlow.js graph model with its preprocessing and model card (docs/deploy.md).</span>
      </p>
      {state.error && (
        <p className="error" role="alert">
          Could not run the model: {state.error}
        </p>
      )}
      {r && (
        <>
          <p data-testid="try-it-result">
            In this browser ({r.backend}): accuracy {(100 * r.accuracy).toFixed(2)} % on n = {r.n} test windows, in {r.ms.toFixed(0)} ms;
            stored: {props.accuracy === null ? '—' : `${(100 * props.accuracy).toFixed(2)} %`}.{' '}
            {matches === true && <strong data-testid="try-it-match">Accuracy and confusion matrix equal the stored ones.</strong>}
            {matches === false && (
              <strong className="error">
                They differ from the stored ones
                {info.data.backend !== r.backend
                  ? ` (stored on ${info.data.backend}, run here on ${r.backend}: the two backends' probabilities agree within 1e-5, so a window whose two likeliest classes are that close can go the other way)`
                  : ''}
                .
              </strong>
            )}
          </p>
          <Confusion matrix={r.confusion} classes={props.classes} testId="try-it-confusion" />
        </>
      )}
    </div>
  );
}
