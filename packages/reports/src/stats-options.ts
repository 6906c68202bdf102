// The significance table's choices, apart from stats.ts: its @stdlib imports take about a second
// to load, which `cmcrd report --help` (listing these) must not wait for. Moves with stats.ts.

/** The alternative hypothesis about the paired differences `a − b` (scipy's `alternative`). */
export const ALTERNATIVES = ['two-sided', 'greater', 'less'] as const;
export type Alternative = (typeof ALTERNATIVES)[number];

/** The paired tests a significance table can run. */
export const PAIRED_TESTS = ['t', 'wilcoxon'] as const;
export type PairedTest = (typeof PAIRED_TESTS)[number];
