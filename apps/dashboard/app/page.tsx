'use client';
import Link from 'next/link';
import { useEffect, useState } from 'react';
import { Status } from '../components/Status';
import { useApi } from '../lib/api';

interface Experiment {
  id: number;
  name: string;
  file: string;
  status: 'running' | 'finished' | 'cancelled';
  folds: number;
  done: number;
  failed: number;
  createdAt: string;
  finishedAt: string | null;
}

interface FoldBrief {
  id: number;
  dataset: string;
  protocol: string;
  foldKey: string;
  method: string;
  backbone: string;
  direction: string;
  status: 'done' | 'failed';
  accuracy: number | null;
  experiment: number | null;
  finishedAt: string;
}

interface Progress {
  folds: { done: number; failed: number };
  experiments: Experiment[];
  latest: FoldBrief[];
}

/** The store's progress from /api/events: the first event at once, then one per change. */
function useProgress(): { progress: Progress | null; latest: FoldBrief[]; live: boolean } {
  const [progress, setProgress] = useState<Progress | null>(null);
  const [latest, setLatest] = useState<FoldBrief[]>([]);
  const [live, setLive] = useState(false);
  useEffect(() => {
    const source = new EventSource('/api/events?latest=12');
    source.addEventListener('progress', (e) => {
      const p = JSON.parse((e as MessageEvent).data) as Progress;
      setProgress(p);
      setLatest((old) => [...p.latest.slice().reverse(), ...old].slice(0, 12));
      setLive(true);
    });
    source.onerror = () => setLive(false);
    return () => source.close();
  }, []);
  return { progress, latest, live };
}

export default function Experiments() {
  const list = useApi<{ items: Experiment[]; total: number }>('/api/experiments?limit=20');
  const { progress, latest, live } = useProgress();
  // Running experiments come from the stream (live); the others from the list.
  const running = new Map((progress?.experiments ?? []).map((e) => [e.id, e]));
  const experiments = (list.data?.items ?? []).map((e) => running.get(e.id) ?? e);
  return (
    <>
      <h1>Experiments</h1>
      <p className="muted">
        Every sweep run on this store, with live progress (
        {live ? <span data-testid="live">live</span> : 'connecting…'}).{' '}
        {progress && (
          <span data-testid="store-counts">
            The store holds {progress.folds.done.toLocaleString('en')} finished fold(s) and{' '}
            {progress.folds.failed.toLocaleString('en')} failed.
          </span>
        )}{' '}
        The tables:{' '}
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
      <Status
        loading={list.loading}
        error={list.error}
        empty={list.data?.total === 0}
        emptyText="No sweeps yet (folds from `cmcrd run` or the demo are in the tables all the same)."
      />
      {experiments.length > 0 && (
        <table data-testid="experiments">
          <thead>
            <tr>
              <th>#</th>
              <th>name</th>
              <th>status</th>
              <th>progress</th>
              <th>done</th>
              <th>failed</th>
              <th>of</th>
              <th>started</th>
            </tr>
          </thead>
          <tbody>
            {experiments.map((e) => (
              <tr key={e.id}>
                <td>{e.id}</td>
                <th scope="row" title={e.file}>
                  {e.name}
                </th>
                <td>
                  <span className={`badge status-${e.status}`}>{e.status}</span>
                </td>
                <td>
                  <div className="progress" title={`${e.done + e.failed} of ${e.folds}`}>
                    <div style={{ width: `${e.folds ? (100 * (e.done + e.failed)) / e.folds : 0}%` }} />
                  </div>
                </td>
                <td>{e.done}</td>
                <td>{e.failed}</td>
                <td>{e.folds}</td>
                <td>{e.createdAt.replace('T', ' ').slice(0, 19)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <h2>Latest folds</h2>
      {latest.length === 0 ? (
        <p className="muted">None yet.</p>
      ) : (
        <table data-testid="latest-folds">
          <tbody>
            {latest.map((f) => (
              <tr key={f.id}>
                <td>{f.finishedAt.replace('T', ' ').slice(0, 19)}</td>
                <th scope="row">
                  {f.dataset} · {f.protocol} · {f.foldKey}
                </th>
                <td>
                  {f.method}
                  {f.direction !== 'none' ? ` (${f.direction})` : ''} · {f.backbone}
                </td>
                <td>
                  {f.status === 'done' && f.accuracy !== null
                    ? `${(100 * f.accuracy).toFixed(2)} %`
                    : 'failed'}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}
