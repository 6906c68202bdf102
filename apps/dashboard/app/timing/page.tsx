'use client';
import { Suspense } from 'react';
import { TablePage } from '../../components/TablePage';

function Timing() {
  return (
    <TablePage
      table="timing"
      heading="Computation time (Table 6)"
      intro="Seconds per fold to train the model, to train the teacher that guided it, and to test it, on this project's backends."
    />
  );
}

export default function Page() {
  return (
    <Suspense fallback={<p className="muted">Loading…</p>}>
      <Timing />
    </Suspense>
  );
}
