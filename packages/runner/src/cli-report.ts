
import { cmdReportAll } from './cli-report-all.js';
import { cutDirection, unknownDirectionMessage } from './directions.js';
import { userPath } from '@cmcrd/store';
import {
  buildReport,
  formatReport,
  type ReportFormat,
  type ReportOptions,
  parseTableKind,
  ReportError,
} from '@cmcrd/reports';
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


/** `cmcrd report <table>`: one table to stdout, or `all` into --out. */
export async function cmdReportCommand(table: string, o: ReportCommandOptions & { out?: string; plugin?: string[] }): Promise<number> {
  // `--direction em->eeg` unquoted reaches us as `em-`, which would match no fold: say how to quote it.
  if (o.direction !== undefined && cutDirection(o.direction)) throw new ReportError(unknownDirectionMessage(o.direction));
  // Outside plugins (and with them TensorFlow.js) load only when asked for: reading a store needs neither.
  if (o.plugin?.length) await (await import('./plugins.js')).loadCliPlugins(o.plugin);
  if (table === 'all') {
    if (!o.out) throw new ReportError('report all needs --out DIR (the folder to write every table to)');
    return cmdReportAll({ ...o, out: o.out });
  }
  if (o.out) throw new ReportError('--out is for `cmcrd report all`; one table is printed to stdout');
  return cmdReport(table, o);
}
