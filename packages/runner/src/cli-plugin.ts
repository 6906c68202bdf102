import { BACKEND_NAMES, type PluginCheckReport, ROW_CHECKS, checkDistillerPlugin, listBackbones, selectBackend } from '@cmcrd/core';
import Table from 'cli-table3';
import { type Command, InvalidArgumentError, Option } from 'commander';
import { registerPluginNewCommand } from './cli-plugin-new.js';
import { importPlugin, resolvePluginSpec } from './plugins.js';

function jsonObject(v: string): Record<string, unknown> {
  try {
    const o = JSON.parse(v);
    if (o === null || typeof o !== 'object' || Array.isArray(o)) throw new Error('not an object');
    return o;
  } catch (e) {
    throw new InvalidArgumentError(`--options must be a JSON object, got '${v}' (${(e as Error).message})`);
  }
}

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

function backboneList(v: string, acc: string[] = []): string[] {
  if (!listBackbones().includes(v)) throw new InvalidArgumentError(`unknown backbone '${v}' (known: ${listBackbones().join(', ')})`);
  return [...acc, v];
}

interface CheckCommandOptions {
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

export function registerPluginCommand(program: Command): void {
  const plugin = program.command('plugin').description('write and check outside distiller plugins (docs/plugins.md)');
  plugin
    .command('check')
    .description("tries a plugin in seconds on random data, for each backbone's taps and both directions: finite scalar loss, gradients, listed variables, leaks, determinism, strict options, step time")
    .argument('<module>', 'a plugin file, a package folder or an installed package name')
    .option('--backbone <name>', `only this backbone (${listBackbones().join(', ')}; repeatable)`, backboneList)
    .option('--options <json>', "the plugin's options (default: its defaults)", jsonObject)
    .option('--seed <n>', 'seed of the random data and of the plugin', (v) => Number.parseInt(v, 10), 1)
    .addOption(new Option('--backend <name>', 'force a tensor backend').choices([...BACKEND_NAMES]))
    .option('--json', 'the report as JSON')
    .action(async (module: string, o: CheckCommandOptions) => {
      process.exitCode = await cmdPluginCheck(module, o);
    });
  registerPluginNewCommand(plugin);
}
