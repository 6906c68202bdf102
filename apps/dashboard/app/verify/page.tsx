'use client';
import type { VerifyBody } from '@cmcrd/api/contract';
import { useApi } from '../../lib/api';
import { Status } from '../../components/Status';

/**
 * Verify: the store file every number on these pages is computed from (its sha256 as this page's
 * host computed it: the reviewer's own browser on a published site), what it holds, and the
 * commands that recompute any table from that file.
 */
export default function Page() {
  const { data, error, loading } = useApi<VerifyBody>('/api/verify');
  return (
    <>
      <h1>Verify</h1>
      <p className="muted">
        Every number in these pages is computed from the fold rows of one SQLite file. Download it, check its hash, and
        recompute any table with <code>cmcrd report</code>.
      </p>
      <Status loading={loading} error={error} />
      {data && (
        <>
          <table data-testid="verify-store">
            <tbody>
              <tr>
                <th>store</th>
                <td>
                  <code>{data.store.file}</code>
                  {data.store.bytes !== null && ` (${data.store.bytes.toLocaleString('en')} bytes)`}
                </td>
              </tr>
              <tr>
                <th>sha256</th>
                <td>
                  <code data-testid="verify-sha256">{data.store.sha256 ?? 'not known here'}</code>
                </td>
              </tr>
              {Object.entries(data.counts).map(([k, v]) => (
                <tr key={k}>
                  <th>{k}</th>
                  <td>{v.toLocaleString('en')}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <h2>Data</h2>
          <table>
            <thead>
              <tr>
                <th>dataset</th>
                <th>source</th>
                <th>revision</th>
                <th>folds</th>
              </tr>
            </thead>
            <tbody>
              {data.datasets.map((d) => (
                <tr key={`${d.name} ${d.revision}`}>
                  <td>{d.name}</td>
                  <td>{d.synthetic ? 'synthetic (not comparable with the paper)' : 'official release'}</td>
                  <td>
                    <code>{d.revision}</code>
                  </td>
                  <td>{d.folds}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <h2>Code revisions</h2>
          <table>
            <tbody>
              {data.codeRevisions.map((r) => (
                <tr key={r.revision}>
                  <td>
                    <code>{r.revision || '(not recorded)'}</code>
                  </td>
                  <td>{r.folds} folds</td>
                </tr>
              ))}
            </tbody>
          </table>
          <h2>Recompute</h2>
          <ul data-testid="verify-commands">
            {data.commands.map((c) => (
              <li key={c.command}>
                {c.what}: <code>{c.command}</code>
              </li>
            ))}
          </ul>
        </>
      )}
    </>
  );
}
