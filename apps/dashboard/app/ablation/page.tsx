'use client';
import { Suspense } from 'react';
import { TablePage } from '../../components/TablePage';

function Ablation() {
  return (
    <TablePage
      table="ablation"
      heading="Ablation (Table 7)"
      intro="CMCRD with each of the 8 combinations of minimum class confusion (MCC, teacher), unimodal supervision (US) and information-entropy weighting (IEW), per protocol and dataset."
    />
  );
}

export default function Page() {
  return (
    <Suspense fallback={<p className="muted">Loading…</p>}>
      <Ablation />
    </Suspense>
  );
}
