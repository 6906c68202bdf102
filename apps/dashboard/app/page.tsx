'use client';
import Link from 'next/link';
import { Suspense, useEffect, useRef, useState } from 'react';
import type { CellList, FoldSummary, ProgressEvent, RunList as RunListBody } from '@cmcrd/api/contract';
import { CellsTable } from '../components/CellsTable';
import { RunList } from '../components/RunList';
import { useApi } from '../lib/api';
import { when } from '../lib/durations';

/** The store's progress from /api/events: the first event at once, then one per change. */
function useProgress(): { progress: ProgressEvent | null; latest: FoldSummary[]; live: boolean } {
  const [progress, setProgress] = useState<ProgressEvent | null>(null);
  const [latest, setLatest] = useState<FoldSummary[]>([]);
  const [live, setLive] = useState(false);
  useEffect(() => {
    const source = new EventSource('/api/events?latest=12');
    source.addEventListener('progress', (e) => {
      const p = JSON.parse((e as MessageEvent).data) as ProgressEvent;
      setProgress(p);
      setLatest((old) => [...p.latest.slice().reverse(), ...old].slice(0, 12));
      setLive(true);
    });
    source.onerror = () => setLive(false);
    return () => source.close();
  }, []);
  return { progress, latest, live };
}

/**
 * A URL that changes when the store's fold count does (after the first count seen), so that the
 * run list and the cells are fetched again as folds arrive, and only then.
 */
function useRefreshed(base: string, stamp: number | null): string {
  const first = useRef<number | null>(null);
  if (stamp !== null && first.current === null) first.current = stamp;
  return stamp === null || stamp === first.current ? base : `${base}?at=${stamp}`;
}

function Experiments() {
  const { progress, latest, live } = useProgress();
  const stamp = progress ? progress.folds.done + progress.folds.failed : null;
  const runs = useApi<RunListBody>(useRefreshed('/api/run-list', stamp));
  const cells = useApi<CellList>(useRefreshed('/api/cells', stamp));
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), 5_000);
    return () => clearInterval(t);
  }, []);
  return (
    <>
      <h1>Experiments</h1>
      <p className="muted">
        Every experiment on this store — the demo, sweeps and single runs — with live progress (
        {live ? <span data-testid="live">live</span> : 'connecting…'}).{' '}
        {progress && (
          <span data-testid="store-counts">
            The store holds {progress.folds.done.toLocaleString('en')} finished fold(s) and{' '}
            {progress.folds.failed.toLocaleString('en')} failed.
          </span>
        )}{' '}
        The paper's tables:{' '}
        <Link prefetch={false} href="/comparison/">
          comparison
        </Link>
        ,{' '}
        <Link prefetch={false} href="/significance/">
          significance
        </Link>
        ,{' '}
        <Link prefetch={false} href="/ablation/">
          ablation
        </Link>
        ,{' '}
        <Link prefetch={false} href="/fusion/">
          fusion
        </Link>
        ,{' '}
        <Link prefetch={false} href="/timing/">
          timing
        </Link>
        .
      </p>
      <RunList
        items={runs.data?.items ?? null}
        live={progress?.experiments ?? []}
        loading={runs.loading && runs.data === null}
        error={runs.error}
        now={now}
      />
      <h2>Cells</h2>
      <p className="muted">
        Every (dataset, protocol, backbone, method, direction, options) with folds: its seeds, finished folds and
        mean accuracy over them. Click a header to sort, an accuracy to open the cell.
      </p>
      <CellsTable cells={cells.data?.items ?? null} loading={cells.loading && cells.data === null} error={cells.error} />
      <h2>Latest folds</h2>
      {latest.length === 0 ? (
        <p className="muted">None yet.</p>
      ) : (
        <table data-testid="latest-folds">
          <thead>
            <tr>
              <th>finished</th>
              <th>dataset · protocol · fold</th>
              <th>method · backbone</th>
              <th>accuracy</th>
            </tr>
          </thead>
          <tbody>
            {latest.map((f) => (
              <tr key={f.id}>
                <td>{when(f.finishedAt)}</td>
                <th scope="row">
                  {f.dataset} · {f.protocol} · {f.foldKey}
                </th>
                <td>
                  {f.method}
                  {f.direction !== 'none' ? ` (${f.direction})` : ''} · {f.backbone}
                </td>
                <td>
                  {f.status === 'done' && f.accuracy !== null ? `${(100 * f.accuracy).toFixed(2)} %` : 'failed'}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}

export default function Page() {
  return (
    <Suspense fallback={<p className="muted">Loading…</p>}>
      <Experiments />
    </Suspense>
  );
}
