'use client';
import type { Experiment, RunListItem } from '@cmcrd/api/contract';
import { duration, when } from '../lib/durations';
import { Status } from './Status';

/**
 * Every experiment of the store, newest first: the sweeps (the demo is one) and the runs outside
 * sweeps, with status, progress, fold counts, backend, start, finish and duration. Running sweeps
 * follow the progress stream.
 */
export function RunList(props: {
  items: RunListItem[] | null;
  /** The running sweeps as the progress stream sends them. */
  live: Experiment[];
  loading: boolean;
  error: string | null;
  now: number;
}) {
  const live = new Map(props.live.map((e) => [String(e.id), e]));
  const items = (props.items ?? []).map((i) => {
    const l = i.kind === 'sweep' ? live.get(i.id) : undefined;
    return l ? { ...i, status: l.status, folds: l.folds, done: l.done, failed: l.failed, finishedAt: l.finishedAt } : i;
  });
  return (
    <>
      <Status
        loading={props.loading}
        error={props.error}
        empty={props.items?.length === 0}
        emptyText="Nothing has run on this store yet: `cmcrd demo`, `cmcrd run` or `cmcrd sweep` fill it."
      />
      {items.length > 0 && (
        <div className="scroll">
          <table data-testid="run-list">
            <thead>
              <tr>
                <th>experiment</th>
                <th>kind</th>
                <th>status</th>
                <th>progress</th>
                <th>done</th>
                <th>failed</th>
                <th>of</th>
                <th>backend</th>
                <th>started</th>
                <th>finished</th>
                <th>duration</th>
              </tr>
            </thead>
            <tbody>
              {items.map((e) => {
                const settled = e.done + e.failed;
                const end = e.finishedAt ? Date.parse(e.finishedAt) : props.now;
                return (
                  <tr key={`${e.kind}:${e.id}`} data-kind={e.kind} data-name={e.name}>
                    <th scope="row">{e.name}</th>
                    <td>{e.kind === 'run' ? 'run' : e.name === 'demo' ? 'demo' : 'sweep'}</td>
                    <td>
                      <span className={`badge status-${e.status}`}>{e.status}</span>
                    </td>
                    <td>
                      <div className="progress" title={`${settled} of ${e.folds}`}>
                        <div style={{ width: `${e.folds ? Math.min(100, (100 * settled) / e.folds) : 0}%` }} />
                      </div>
                    </td>
                    <td data-col="done">{e.done}</td>
                    <td data-col="failed" className={e.failed > 0 ? 'error' : undefined}>
                      {e.failed}
                    </td>
                    <td data-col="folds">{e.folds}</td>
                    <td>{e.backends.join(', ') || '—'}</td>
                    <td>{when(e.startedAt)}</td>
                    <td>{e.status === 'running' ? 'running' : when(e.finishedAt)}</td>
                    <td data-col="duration">{duration(end - Date.parse(e.startedAt))}</td>
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
