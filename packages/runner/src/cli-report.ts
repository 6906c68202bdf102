import { type Command, Option } from 'commander';
import { cmdReportAll } from './cli-report-all.js';
import { DEFAULT_DB, userPath } from '@cmcrd/store';
import {
  buildReport,
  formatReport,
  REPORT_FORMATS,
  type ReportFormat,
  type ReportOptions,
  TABLE_KINDS,
  parseTableKind,
  ReportError,
} from '@cmcrd/reports';
import { ALTERNATIVES, PAIRED_TESTS } from '@cmcrd/reports';
import { collectPlugin, loadCliPlugins } from './plugins.js';
import { referenceVariantsHint } from '@cmcrd/reports';
import { storeFaultOf } from '@cmcrd/store';
import { Store } from '@cmcrd/store';

export interface ReportCommandOptions extends ReportOptions {
  db: string;
  format: ReportFormat;
}

/** Prints one kind of table; returns the exit code (0, or 1 when nothing matched). */
export function cmdReport(
  kindName: string,
  o: ReportCommandOptions,
  out: (s: string) => void = (s) => process.stdout.write(s),
): number {
  const kind = parseTableKind(kindName);
  // Not verified when opened (half a second on a store of 100,000 folds, where a report takes a
  // fraction of one): a damaged page the report reads is a StoreFaultError all the same.
  const store = Store.openExisting(userPath(o.db));
  try {
    let tables: ReturnType<typeof buildReport>;
    try {
      tables = buildReport(store, kind, o);
    } catch (e) {
      throw storeFaultOf(e, store.path) ?? e;
    }
    if (tables.length === 0) {
      const hint =
        kind === 'ablation'
          ? " (it needs CMCRD folds with at least two MCC/US/IEW combinations: see sweeps/paper.yaml's t7 grid)"
          : kind === 'significance'
            ? (referenceVariantsHint(store, o.reference ?? 'cmcrd', o) ?? ` (it needs folds of '${o.reference ?? 'cmcrd'}' and of at least one other distiller)`)
            : kind === 'fusion' || kind === 'timing'
              ? ' (it needs eeg-only, em-only, fusion or cmcrd folds)'
              : '';
      process.stderr.write(
        `cmcrd report: no ${kind} table from the folds in ${store.path} that match${hint}\n`,
      );
      return 1;
    }
    out(formatReport(kind, tables, o.format));
    return 0;
  } finally {
    store.close();
  }
}

export function registerReportCommand(program: Command, int: (name: string) => (v: string) => number): void {
  program
    .command('report')
    .description("one of the paper's tables from the folds in a store, with the paper's values beside ours")
    .argument(
      '<table>',
      `${TABLE_KINDS.join(' | ')} (Tables 1/2/4, 3, 5, 6, 7), or all: every table in every format into --out DIR`,
    )
    .addOption(new Option('--format <format>', 'output format').choices([...REPORT_FORMATS]).default('text'))
    .option('--db <path>', 'SQLite store', DEFAULT_DB)
    .option('--dataset <name>', 'only this dataset')
    .option('--protocol <name>', 'only this protocol (within-subject, cross-subject)')
    .option('--direction <dir>', "only this direction ('em->eeg' or 'eeg->em'; the unimodal rows stay)")
    .option('--backbone <name>', 'only this backbone')
    .option('--seed <n>', 'only this seed', int('--seed'))
    .option('--reference <row>', 'significance: the method tested against the others', 'cmcrd')
    .addOption(
      new Option(
        '--family <family>',
        "significance: BH over each column's comparisons or over the whole table",
      )
        .choices(['column', 'table'])
        .default('column'),
    )
    .addOption(
      new Option('--test <test>', 'significance: the paired t-test or the Wilcoxon signed-rank test')
        .choices([...PAIRED_TESTS])
        .default('t'),
    )
    .addOption(
      new Option(
        '--alternative <side>',
        'significance: the alternative hypothesis about reference − baseline',
      )
        .choices([...ALTERNATIVES])
        .default('two-sided'),
    )
    .addOption(
      new Option(
        '--variants <which>',
        "rows for each method's default options only, or for every option variant in the store",
      )
        .choices(['default', 'all'])
        .default('default'),
    )
    .option('--no-paper', "leave out the paper's values")
    .option('--out <dir>', 'report all: the folder to write the bundle to')
    .option('--plugin <module>', "an outside distiller plugin, so that its default options are known (repeatable)", collectPlugin)
    .action(async (table: string, o: ReportCommandOptions & { out?: string; plugin?: string[] }) => {
      await loadCliPlugins(o.plugin);
      if (table === 'all') {
        if (!o.out) throw new ReportError('report all needs --out DIR (the folder to write every table to)');
        process.exitCode = cmdReportAll({ ...o, out: o.out });
        return;
      }
      if (o.out) throw new ReportError('--out is for `cmcrd report all`; one table is printed to stdout');
      process.exitCode = cmdReport(table, o);
    });
}
