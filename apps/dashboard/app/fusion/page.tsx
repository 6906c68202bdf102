'use client';
import { Suspense } from 'react';
import { TablePage, cellLink } from '../../components/TablePage';

function Fusion() {
  return (
    <TablePage
      table="fusion"
      heading="Unimodal, fusion and cross-modal (Table 5)"
      intro="EEG and EM alone, their decision fusion (EM+EEG, both modalities at test time), and CMCRD in both directions (one modality at test time)."
      linkFor={cellLink}
    />
  );
}

export default function Page() {
  return (
    <Suspense fallback={<p className="muted">Loading…</p>}>
      <Fusion />
    </Suspense>
  );
}
