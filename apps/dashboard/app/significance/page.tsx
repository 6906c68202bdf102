'use client';
import { Suspense } from 'react';
import { TablePage } from '../../components/TablePage';
import { useUrlState } from '../../lib/url-state';
import { Select } from '../../components/Select';

function Significance() {
  const { get, set } = useUrlState();
  const family = get('family') ?? 'column';
  const familySelect = (
    <Select
      name="family"
      label="BH family"
      value={family}
      options={[
        { value: 'column', label: "each column's comparisons (the paper's)" },
        { value: 'table', label: 'the whole table' },
      ]}
      onChange={(v) => set({ family: v === 'column' ? undefined : v })}
    />
  );
  return (
    <TablePage
      table="significance"
      heading="Significance (Table 3)"
      intro={`Paired t-test of CMCRD against each baseline over the folds both have, p-values adjusted by Benjamini–Hochberg within ${family === 'column' ? "each column (the paper's family)" : 'the whole table'}; p < 0.05 highlighted.`}
      extra={{ family: family === 'column' ? undefined : family }}
      extraFilters={familySelect}
    />
  );
}

export default function Page() {
  return (
    <Suspense fallback={<p className="muted">Loading…</p>}>
      <Significance />
    </Suspense>
  );
}
