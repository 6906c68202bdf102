import Link from 'next/link';

/** Any path that is not a page of the dashboard (served with status 404 by `cmcrd serve`). */
export default function NotFound() {
  return (
    <section className="not-found" data-testid="not-found">
      <h1>Page not found</h1>
      <p className="muted">
        There is no dashboard page at this address. The pages are the experiments, the comparison,
        significance, ablation, fusion and timing tables, and the drill-down of a cell (opened from a table).
      </p>
      <p>
        <Link prefetch={false} href="/" className="button">
          Back to the experiments
        </Link>
      </p>
    </section>
  );
}
