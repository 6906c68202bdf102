import { type PluginCheckReport, ROW_CHECKS, checkDistillerPlugin, selectBackend } from '@cmcrd/core';
import Table from 'cli-table3';
import { importPlugin, resolvePluginSpec } from './plugins.js';


/** The report as a table (one row per backbone and direction), then what failed, in words. */
export function formatPluginCheck(r: PluginCheckReport): string {
  const table = new Table({ head: ['backbone', 'direction', 'loss', ...ROW_CHECKS, 'step time'], style: { head: [], border: [] }, chars: { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' } });
  for (const row of r.rows) {
    const ratio = row.stepTimeRatio === null ? '–' : `×${row.stepTimeRatio.toFixed(2)} ${row.direction.endsWith('eeg') ? 'eeg-only' : 'em-only'}`;
    table.push([row.backbone, row.direction, Number.isFinite(row.loss) ? row.loss.toPrecision(4) : row.failures['scalar loss'] === undefined ? '–' : String(row.loss), ...ROW_CHECKS.map((c) => (row.failures[c] === undefined ? '–' : row.failures[c] ? 'FAIL' : 'ok')), ratio]);
  }
  const lines = [`cmcrd plugin check: '${r.plugin}'`];
  for (const [check, failure] of Object.entries(r.general)) lines.push(`  ${check}: ${failure ? `FAIL — ${failure}` : 'ok'}`);
  if (r.rows.length) lines.push(table.toString());
  for (const row of r.rows)
    for (const [check, failure] of Object.entries(row.failures)) if (failure) lines.push(`FAIL ${row.backbone} ${row.direction} ${check}: ${failure}`);
  lines.push(r.ok ? 'all checks passed' : 'some checks FAILED');
  return `${lines.join('\n')}\n`;
}


export interface CheckCommandOptions {
  backbone?: string[];
  options?: Record<string, unknown>;
  seed: number;
  backend?: string;
  json?: boolean;
}

/** `cmcrd plugin check <module>`: 0 when every check passes, 1 otherwise (2 for a module that cannot load). */
export async function cmdPluginCheck(module: string, o: CheckCommandOptions): Promise<number> {
  const spec = resolvePluginSpec(module, process.env.INIT_CWD ?? process.cwd());
  const candidate = await importPlugin(spec);
  await selectBackend(o.backend);
  const report = await checkDistillerPlugin(candidate, { backbones: o.backbone, options: o.options, seed: o.seed });
  process.stdout.write(o.json ? `${JSON.stringify(report, null, 2)}\n` : formatPluginCheck(report));
  return report.ok ? 0 : 1;
}

