/**
 * The URL parameters of each table page: `required` ones always have a value (a default is
 * written into the URL), `optional` ones may be absent ("all"). The pages' filter menus
 * (components/TablePage.tsx) and the early fetch (components/EarlyFetch.tsx) both read this.
 */
export const TABLE_PAGES = {
  comparison: { required: ['protocol', 'direction'], optional: ['dataset'] },
  significance: { required: ['protocol', 'direction'], optional: ['dataset', 'family', 'test', 'alternative'] },
  ablation: { required: ['direction'], optional: ['backbone', 'dataset'] },
  fusion: { required: ['protocol'], optional: ['dataset'] },
  timing: { required: ['backbone'], optional: ['dataset'] },
} as const satisfies Record<string, { required: readonly string[]; optional: readonly string[] }>;

export type TablePageName = keyof typeof TABLE_PAGES;
