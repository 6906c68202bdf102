'use client';
import { Suspense } from 'react';
import { TablePage, cellLink } from '../../components/TablePage';

function Comparison() {
  return (
    <TablePage
      table="comparison"
      heading="Comparison (Tables 1, 2 and 4)"
      intro="Accuracy per method, dataset and backbone: mean ± sample std over folds (each fold's seeds averaged first). Click a cell for its folds, curves, confusion matrix and embeddings."
      linkFor={cellLink}
    />
  );
}

export default function Page() {
  return (
    <Suspense fallback={<p className="muted">Loading…</p>}>
      <Comparison />
    </Suspense>
  );
}
