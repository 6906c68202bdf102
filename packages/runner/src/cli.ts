import { realpathSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { availableParallelism } from 'node:os';
import { BACKEND_NAMES, listBackbones, listDistillers, requireBackend } from '@cmcrd/core';
import { formatBackends } from './cli-backends.js';
import { DATASET_NAMES, PROTOCOL_NAMES, RELEASE_NAMES } from '@cmcrd/data';
import { UserError } from '@cmcrd/data/user-error';
import { Command, InvalidArgumentError, Option } from 'commander';
import { registerDataCommands } from './cli-data.js';
import { registerExportCommand } from './cli-export.js';
import { registerPluginCommand } from './cli-plugin.js';
import { registerPredictCommand } from './cli-predict.js';
import { registerSweepCommand } from './cli-sweep.js';
import { registerWorkerCommand } from './cli-worker.js';
import { REFERENCE_METHODS, RUN_DEFAULTS, type RunInput } from './config.js';
import { runDemo } from './demo.js';
import { executeJobs } from './execute.js';
import { expandJobs, preparePlugins } from './jobs.js';
import { DEFAULT_DB, userPath } from '@cmcrd/store';
import { collectPlugin, loadBuiltins, loadCliPlugins } from './plugins.js';
import { progressPrinter } from './report-progress.js';
import { Store, storeFaultOf } from '@cmcrd/store';
import { CMCRD_VERSION } from './version.js';
import { registerReportCommand } from './cli-report.js';
import { buildReport, formatReport } from '@cmcrd/reports';

function int(name: string) {
  return (v: string) => {
    if (!/^-?\d+$/.test(v)) throw new InvalidArgumentError(`${name} must be an integer, got '${v}'`);
    return Number(v);
  };
}

function json(name: string) {
  return (v: string) => {
    try {
      const o = JSON.parse(v);
      if (o === null || typeof o !== 'object' || Array.isArray(o)) throw new Error('not an object');
      return o as Record<string, unknown>;
    } catch (e) {
      throw new InvalidArgumentError(`${name} must be a JSON object, got '${v}' (${(e as Error).message})`);
    }
  };
}

/** --protocol-option key=value, repeatable. */
function keyValue(v: string, acc: Record<string, string> = {}) {
  const i = v.indexOf('=');
  if (i <= 0) throw new InvalidArgumentError(`expected key=value, got '${v}'`);
  return { ...acc, [v.slice(0, i)]: v.slice(i + 1) };
}

const workersOption = () =>
  new Option('--workers <n>', 'parallel worker processes, each with its own backend (default: the number of cores)').argParser(int('--workers')).default(availableParallelism());
const backendOption = () => new Option('--backend <name>', 'force a tensor backend').choices([...BACKEND_NAMES]);

async function cmdRun(o: Record<string, unknown>): Promise<number> {
  const input: RunInput = {
    dataset: o.dataset as string,
    protocol: o.protocol as string,
    backbone: o.backbone as string,
    method: o.method as string,
    direction: o.direction as string,
    seed: o.seed as number,
    dataSeed: o.dataSeed as number,
    epochs: o.epochs as number,
    // Not given: resolveRun's one rule (config.ts defaultWarmupEpochs), as for sweeps.
    warmupEpochs: o.warmupEpochs as number | undefined,
    teacherEpochs: o.teacherEpochs as number,
    options: (o.options as Record<string, unknown>) ?? {},
    protocolOptions: (o.protocolOption as Record<string, unknown>) ?? {},
    folds: o.folds ? String(o.folds).split(',').map((s) => s.trim()) : undefined,
    plugins: (o.plugin as string[] | undefined) ?? undefined,
  };
  // Everything is validated (and outside plugins loaded) before the store is opened: a bad name writes nothing.
  const [prepared] = await preparePlugins([input], process.env.INIT_CWD ?? process.cwd());
  // A run is a handful of folds: each stores its t-SNE embedding (about half a second) for the plots.
  // … and its trained model (cmcrd export), unless --no-keep-models.
  const { jobs } = expandJobs([prepared], { embeddings: true, keepModels: o.keepModels !== false });
  if (o.backend) await requireBackend(o.backend as string);
  const store = Store.open(userPath(o.db as string));
  try {
    console.log(`cmcrd run: ${jobs.length} fold(s) of ${input.method} on ${input.dataset} (${input.protocol}, ${input.backbone}) → ${store.path}`);
    const summary = await executeJobs(jobs, store, { workers: o.workers as number, backend: o.backend as string | undefined, onEvent: progressPrinter() });
    const tables = buildReport(store, 'comparison', { dataset: input.dataset, protocol: input.protocol, backbone: input.backbone });
    if (tables.length) console.log(`\n${formatReport('comparison', tables, 'text')}`);
    console.log(`\n${summary.finished} fold(s) run, ${summary.skipped} already stored, ${summary.failed} failed. Results: ${store.path}`);
    return summary.failed > 0 ? 1 : 0;
  } finally {
    store.close();
  }
}

/** Adds commands that live in packages downstream of this one (e.g. `serve` in the API). */
export type CommandExtension = (program: Command) => void;

export function buildProgram(extensions: readonly CommandExtension[] = []): Command {
  const program = new Command('cmcrd')
    .description('Cross-modal contrastive representation distillation: runs, stores and compares folds.')
    .version(CMCRD_VERSION, '-V, --version', 'the version of cmcrd')
    .showHelpAfterError()
    .exitOverride()
    .option('--data-dir <dir>', 'where imported datasets are cached (default: $CMCRD_DATA_DIR or ./datasets)')
    .option('--debug', 'print the stack of an error as well as its message')
    .hook('preAction', (cmd) => {
      const dir = cmd.opts().dataDir as string | undefined;
      // Through the environment, so that worker processes see it too.
      if (dir) process.env.CMCRD_DATA_DIR = userPath(dir);
    });

  program
    .command('demo')
    .description('the demo sweep: synthetic SEED-IV, DNN, within-subject: EEG-only, EM-only, fusion, the seven baselines and CMCRD')
    .option('--db <path>', 'SQLite store', DEFAULT_DB)
    .option('--subjects <n>', 'how many subjects (default 4 of 15)', int('--subjects'))
    .option('--methods <list>', 'comma-separated subset of the methods (default: all eleven)', (v: string) => v.split(',').map((m) => m.trim()).filter(Boolean))
    .option('--no-keep-models', "do not store each fold's trained model (kept by default, for cmcrd export)")
    .addOption(workersOption())
    .addOption(backendOption())
    .action(async (o) => {
      process.exitCode = await runDemo({ db: userPath(o.db), workers: o.workers, backend: o.backend, subjects: o.subjects, methods: o.methods, keepModels: o.keepModels });
    });

  program
    .command('run')
    .description('one cell: every fold of (dataset, protocol, backbone, method, direction, seed)')
    .requiredOption('--dataset <name>', `dataset (${[...DATASET_NAMES, ...RELEASE_NAMES].join(', ')}; releases once imported)`)
    .requiredOption('--method <name>', 'method (eeg-only, em-only, fusion or a distiller)')
    .option('--protocol <name>', `protocol (${PROTOCOL_NAMES.join(', ')})`, RUN_DEFAULTS.protocol)
    .option('--backbone <name>', `backbone (${listBackbones().join(', ')})`, RUN_DEFAULTS.backbone)
    .option('--direction <dir>', "'em->eeg' (EM teacher, EEG student) or 'eeg->em'", RUN_DEFAULTS.direction)
    .option('--seed <n>', 'training seed', int('--seed'), RUN_DEFAULTS.seed)
    .option('--data-seed <n>', 'seed of the synthetic generator', int('--data-seed'), RUN_DEFAULTS.dataSeed)
    .option('--epochs <n>', 'student epochs', int('--epochs'), RUN_DEFAULTS.epochs)
    .option('--warmup-epochs <n>', 'student warm-up epochs (default min(10, epochs/4))', int('--warmup-epochs'))
    .option('--teacher-epochs <n>', 'teacher epochs', int('--teacher-epochs'), RUN_DEFAULTS.teacherEpochs)
    .option('--options <json>', 'method options as a JSON object', json('--options'))
    .option('--protocol-option <key=value>', 'normalisation=train|per-subject|paper, mccSource=train|target, epochSelection=last|best-val|oracle-test', keyValue)
    .option('--folds <keys>', 'comma-separated fold keys (default: all)')
    .option('--plugin <module>', 'load an outside distiller plugin (a file, a package folder or an installed package name; repeatable)', collectPlugin)
    .option('--db <path>', 'SQLite store', DEFAULT_DB)
    .option('--no-keep-models', "do not store each fold's trained model (kept by default, for cmcrd export)")
    .addOption(workersOption())
    .addOption(backendOption())
    .action(async (o) => {
      process.exitCode = await cmdRun(o);
    });

  program
    .command('list')
    .description('datasets, protocols, backbones, methods and backends known here')
    .option('--plugin <module>', 'also list an outside distiller plugin (repeatable)', collectPlugin)
    .action(async (o) => {
      await loadCliPlugins(o.plugin);
      console.log(`datasets:  ${DATASET_NAMES.join(', ')}; releases (after cmcrd data import): ${RELEASE_NAMES.join(', ')}`);
      console.log(`protocols: ${PROTOCOL_NAMES.join(', ')}`);
      console.log(`backbones: ${listBackbones().join(', ')}`);
      console.log(`methods:   ${[...REFERENCE_METHODS, ...listDistillers()].join(', ')}`);
      console.log(`backends:  ${BACKEND_NAMES.join(' → ')} (first available in this order, unless --backend)`);
      console.log(await formatBackends());
    });
  registerReportCommand(program, int);
  registerSweepCommand(program);
  registerWorkerCommand(program);
  registerDataCommands(program);
  registerExportCommand(program);
  registerPredictCommand(program);
  registerPluginCommand(program);
  for (const extend of extensions) extend(program);
  return program;
}

export async function main(argv: string[], extensions: readonly CommandExtension[] = []): Promise<number> {
  loadBuiltins();
  const program = buildProgram(extensions);
  try {
    await program.parseAsync(argv);
    const code = Number(process.exitCode ?? 0);
    // Actions report through process.exitCode; the caller (bin/cmcrd or a test) decides what to do with it.
    process.exitCode = undefined;
    return code;
  } catch (e) {
    const err = e as Error & { code?: string; exitCode?: number };
    if (err.code?.startsWith('commander.')) {
      return err.code === 'commander.helpDisplayed' || err.code === 'commander.version' ? 0 : 2;
    }
    // Every refusal of what the user wrote or asked for, from any package: the message names the
    // file, key or parameter, so no stack (unless --debug).
    if (err instanceof UserError) {
      console.error(`cmcrd: ${err.message}`);
      if (argv.includes('--debug')) console.error(err.stack);
      return 2;
    }
    // A SQLite fault outside `sweep` (run, demo, …): the same paragraph, about the --db it was given.
    const db = argv.includes('--db') ? argv[argv.indexOf('--db') + 1] : undefined;
    const fault = storeFaultOf(err, db ? userPath(db) : 'the store');
    if (fault) {
      console.error(`cmcrd: ${fault.message}`);
      if (argv.includes('--debug')) console.error(err.stack);
      return 2;
    }
    console.error(`cmcrd: ${err.stack ?? err.message}`);
    return 1;
  }
}

// Compared as whole paths: another package's entry file may also be called cli.ts.
const invokedDirectly = process.argv[1] !== undefined && realpathSync(fileURLToPath(import.meta.url)) === realpathSync(resolve(process.argv[1]));
/** `cmcrd report … | head` closes the pipe early: stop quietly instead of throwing EPIPE. */
export function exitQuietlyOnClosedPipe(): void {
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw e;
  });
}

if (invokedDirectly) {
  exitQuietlyOnClosedPipe();
  main(process.argv).then((code) => {
    process.exitCode = code;
  });
}
