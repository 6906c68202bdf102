'use client';
import { Suspense } from 'react';
import { TablePage } from '../../components/TablePage';
import { useUrlState } from '../../lib/url-state';
import { Select } from '../../components/Select';

function Significance() {
  const { get, set } = useUrlState();
  const family = get('family') ?? 'column';
  const test = get('test') ?? 't';
  const alternative = get('alternative') ?? 'two-sided';
  const controls = (
    <>
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
      <Select
        name="test"
        label="Test"
        value={test}
        options={[
          { value: 't', label: 'paired t-test (the paper’s)' },
          { value: 'wilcoxon', label: 'Wilcoxon signed-rank' },
        ]}
        onChange={(v) => set({ test: v === 't' ? undefined : v })}
      />
      <Select
        name="alternative"
        label="Alternative"
        value={alternative}
        options={[
          { value: 'two-sided', label: 'two-sided' },
          { value: 'greater', label: 'CMCRD better (one-sided)' },
          { value: 'less', label: 'CMCRD worse (one-sided)' },
        ]}
        onChange={(v) => set({ alternative: v === 'two-sided' ? undefined : v })}
      />
    </>
  );
  return (
    <TablePage
      table="significance"
      heading="Significance (Table 3)"
      intro={`CMCRD against each baseline over the folds both have: the mean difference (percentage points) with its 95% confidence interval, Cohen's d_z, the ${test === 'wilcoxon' ? 'Wilcoxon signed-rank' : 'paired t-test'} p (${alternative}) and q, adjusted by Benjamini–Hochberg within ${family === 'column' ? "each column (the paper's family)" : 'the whole table'}; q < 0.05 marked ▲ for a significant gain, ▼ for a significant loss.`}
      extra={{
        family: family === 'column' ? undefined : family,
        test: test === 't' ? undefined : test,
        alternative: alternative === 'two-sided' ? undefined : alternative,
      }}
      extraFilters={controls}
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
