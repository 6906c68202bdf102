import { availableParallelism } from 'node:os';
import { BACKEND_NAMES, BUILTIN_BACKBONE_NAMES } from '@cmcrd/core/names';
import { dataDir, RELEASE_NAMES } from '@cmcrd/data/names';
import { type Command, InvalidArgumentError, Option } from 'commander';
import { collectPlugin, count, int, json, keyValue as keyValueArg, positive } from './cli-args.js';
import type { ExportOptions } from './cli-export.js';
import type { CheckCommandOptions } from './cli-plugin.js';
import type { PredictOptions } from './cli-predict.js';
import type { FoldsOptions, RunsOptions } from './cli-runs.js';
import type { ReportCommandOptions } from './cli-report.js';
import type { SweepCommandOptions } from './cli-sweep.js';
import type { WorkerCommandOptions } from './cli-worker.js';
import { DEFAULT_DB } from '@cmcrd/store/paths';
import { REPORT_FORMATS, TABLE_KINDS } from '@cmcrd/reports/model';
import { ALTERNATIVES, PAIRED_TESTS } from '@cmcrd/reports/stats-options';

// The commands' names, options and help. Nothing here loads TensorFlow.js, BullMQ, a plugin or
// the dataset code: each action imports its module when it runs, so that `cmcrd --help` and
// `cmcrd <command> --help` answer at once.

export const backendOption = () => new Option('--backend <name>', 'force a tensor backend').choices([...BACKEND_NAMES]);

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
      process.exitCode = await (await import('./cli-report.js')).cmdReportCommand(table, o);
    });
}

/** `runs` and `folds`: what a store holds, listed (cli-runs.ts). */
export function registerListCommands(program: Command): void {
  const format = () => new Option('--format <format>', 'output format').choices(['text', 'json']).default('text');
  program
    .command('runs')
    .description(
      "the runs in a store (a run: the folds of one configuration and seed), oldest first: id, dataset, protocol, backbone, method and direction, what sets its variant apart, seed, done and failed folds, mean accuracy, last finished",
    )
    .option('--db <path>', 'SQLite store (it must exist)', DEFAULT_DB)
    .option('--dataset <name>', 'only this dataset')
    .option('--protocol <name>', 'only this protocol (within-subject, cross-subject)')
    .option('--backbone <name>', 'only this backbone')
    .option('--method <name>', 'only this method')
    .option('--direction <dir>', "only this direction ('em->eeg', 'eeg->em', or none: eeg-only, em-only and fusion)")
    .option('--seed <n>', 'only this seed', int('--seed'))
    .addOption(format())
    .addHelpText('after', "\nThe ids are the API's (/api/runs); `cmcrd folds --run <id>` lists a run's folds.\n--format json: an array of runs.")
    .action(async (o: RunsOptions) => {
      process.exitCode = (await import('./cli-runs.js')).cmdRuns(o);
    });
  program
    .command('folds')
    .description('the folds in a store, oldest first, a page at a time: id, dataset, fold key, method, direction, backbone, seed, status, accuracy, train and test seconds, finished')
    .option('--db <path>', 'SQLite store (it must exist)', DEFAULT_DB)
    .option('--run <id>', 'only the folds of this run (its id as `cmcrd runs` shows it, or a prefix of 4 or more hex digits)')
    .option('--cell <filters>', 'only the folds of a cell, as `cmcrd export --cell` takes it: dataset=…,protocol=…,backbone=…,method=…,direction=…,seed=…')
    .option('--fold-key <key>', 'only this fold key (e.g. subject-03 or loso-03)')
    .addOption(new Option('--status <status>', 'only done or only failed folds').choices(['done', 'failed']))
    .option('--limit <n>', 'at most this many folds', positive('--limit'), 50)
    .option('--offset <n>', 'skip this many first (the footer says where the next page starts)', count('--offset'), 0)
    .addOption(format())
    .addHelpText(
      'after',
      "\nA fold's id is what `cmcrd export --fold <id>` and the API (/api/folds/{id}) take.\n--format json: {items, total, limit, offset, nextOffset}.",
    )
    .action(async (o: FoldsOptions) => {
      process.exitCode = (await import('./cli-runs.js')).cmdFolds(o);
    });
}

export function registerSweepCommand(program: Command, workersDefault = availableParallelism()): void {
  program
    .command('sweep')
    .description('every fold of a sweep file (docs/sweeps.md); run it again after any crash to run exactly the missing folds')
    .argument('<file>', 'a sweep file, e.g. sweeps/paper.yaml')
    .option('--real', 'the imported releases (seed, seed-iv, seed-v) instead of the synthetic presets')
    .option('--dry-run', 'count the folds (stored, to run) and estimate the time from measured step times; trains nothing')
    .option('--workers <n>', 'worker processes, each with its own backend', count('--workers'), workersDefault)
    .option('--backend <name>', 'force a tensor backend')
    .option('--retries <n>', 'how many more times a failed fold is started', count('--retries'), 1)
    .option('--db <path>', 'SQLite store', DEFAULT_DB)
    .option('--queue <url>', 'run the folds on `cmcrd worker`s through this Redis (redis://host:port[/db]) instead of local worker processes')
    .option('--plugin <module>', 'load an outside distiller plugin the sweep file uses but does not name (repeatable)', collectPlugin)
    .option('--embeddings', "store a 2-D t-SNE of each fold's test-set features with it (about half a second per fold; not part of a fold's identity)")
    .option('--keep-models', "store each fold's trained model with it, for cmcrd export (or keepModels: true in the sweep file; not part of a fold's identity)")
    .option('--shard <I/N>', "run only the I-th of N shards of the sweep's folds (whole fold groups: a teacher is trained in one shard only) into --db; docs/cluster.md")
    .option('--main-db <path>', 'with --shard: folds already stored in this (merged) store are not run again, and its teachers are reused')
    .option('--data-revision <dataset=revision>', "with --shard: stop (exit 2) unless the dataset's revision here is this one (--slurm passes the revisions it resolved; 'none' for synthetic data)", keyValueArg)
    .option('--status', 'done, running, pending and failed folds, from --db, the shard stores and squeue; trains nothing')
    .option('--shard-dir <dir>', 'where --slurm puts the shard stores, logs and scripts (default: shards/<sweep> beside --db)')
    .option('--slurm', 'write and submit (sbatch) a Slurm job array, one task per shard with missing folds, and a merge job after it (docs/cluster.md)')
    .option('--shards <n>', '--slurm: how many shards (default: as the last submission, else one task per --cpus-per-task of --cores)', positive('--shards'))
    .option('--cores <n>', '--slurm and --dry-run: the cluster size the suggested array is for (default 256)', positive('--cores'))
    .option('--partition <name>', '--slurm: the Slurm partition')
    .option('--account <name>', '--slurm: the Slurm account')
    .option('--time <limit>', "--slurm: each task's time limit (default: the dry run's estimate of the longest shard, ×1.5 + 10 min)")
    .option('--cpus-per-task <n>', '--slurm: cores per task; each runs one worker process (default 4)', positive('--cpus-per-task'))
    .option('--mem <size>', "--slurm: each task's memory (Slurm's --mem, e.g. 8G)")
    .option('--gpus <n>', "--slurm: each task's GPUs (Slurm's --gpus, e.g. 1 or a100:1)")
    .option('--array-limit <n>', '--slurm: at most this many tasks at once', positive('--array-limit'))
    .option('--print', '--slurm: write the scripts and print them, without submitting')
    .action(async (file: string, o: SweepCommandOptions) => {
      process.exitCode = await (await import('./cli-sweep.js')).cmdSweep(file, o);
    });
}

export function registerWorkerCommand(program: Command): void {
  program
    .command('worker')
    .description(
      'runs the folds of distributed sweeps (`cmcrd sweep --queue`), on any machine that reaches the Redis (docs/sweeps.md)',
    )
    .requiredOption('--queue <url>', 'the Redis of the sweep: redis://host:port[/db]')
    .option(
      '--concurrency <n>',
      'folds at a time, each in its own process with its own backend',
      positive('--concurrency'),
      1,
    )
    .addOption(backendOption())
    .option(
      '--lock-ms <n>',
      "a dead worker's fold goes to another worker after about this long (default $CMCRD_QUEUE_LOCK_MS or 30000)",
      positive('--lock-ms'),
    )
    .option(
      '--stalled-ms <n>',
      'how often to look for folds whose worker died (default $CMCRD_QUEUE_STALLED_MS or --lock-ms)',
      positive('--stalled-ms'),
    )
    .action(async (o: WorkerCommandOptions) => {
      process.exitCode = await (await import('./cli-worker.js')).cmdWorker(o);
    });
}

export function registerDataCommands(program: Command): void {
  const data = program
    .command('data')
    .description(`the official SEED releases: import into the local cache (${dataDir()} unless --data-dir or CMCRD_DATA_DIR), list, inspect`);

  data
    .command('import')
    .description('read an official release folder, check every file, and write its cache')
    .argument('<dataset>', RELEASE_NAMES.join(' | '))
    .argument('<folder>', 'the release folder (SEED: ExtractedFeatures or its parent; SEED-IV: the folder holding eeg_feature_smooth and eye_feature_smooth; SEED-V: the folder holding EEG_DE_features and Eye_movement_features)')
    .option('--eye <folder>', 'SEED only: eye-movement files in the documented layout (default: EyeFeatures next to ExtractedFeatures)')
    .action(async (name: string, folder: string, o: { eye?: string }) => {
      (await import('./cli-data.js')).cmdDataImport(name, folder, o);
    });

  data
    .command('list')
    .description('the datasets known here: built-in synthetic presets and imported releases')
    .action(async () => {
      (await import('./cli-data.js')).cmdDataList();
    });

  data
    .command('inspect')
    .description('subjects, sessions, trials, windows, class balance, feature ranges and NaN counts of a dataset')
    .argument('<dataset>')
    .action(async (name: string) => {
      (await import('./cli-data.js')).cmdDataInspect(name);
    });
}

export function registerExportCommand(program: Command): void {
  program
    .command('export')
    .description("a stored fold's model as a TensorFlow.js graph model with its preprocessing and a model card (docs/deploy.md)")
    .option('--fold <id>', 'the fold: its id, as `cmcrd folds` (or the API, /api/folds) shows it')
    .option('--cell <filters>', 'or the one fold of a cell: dataset=…,protocol=…,backbone=…,method=…,direction=…,seed=…')
    .option('--fold-key <key>', 'with --cell: the fold key (e.g. subject-03), when the cell has several folds')
    .requiredOption('--out <dir>', 'a new (or empty) folder for model.json, its weights, preprocess.json and MODEL_CARD.md')
    .option('--db <path>', 'SQLite store', DEFAULT_DB)
    .action(async (o: ExportOptions) => {
      process.exitCode = (await import('./cli-export.js')).cmdExport(o);
    });
}

export function registerPredictCommand(program: Command): void {
  program
    .command('predict')
    .description('class probabilities per window from an exported model (cmcrd export) for a .mat, .npz, .csv or Arrow file')
    .requiredOption('--model <dir>', 'a folder written by cmcrd export')
    .requiredOption('--input <file>', "windows of the model's modality: a SEED/SEED-IV .mat (one trial or a session), a SEED-V .npz, a .csv or an Arrow file")
    .addOption(new Option('--format <format>', 'output format').choices(['csv', 'json']).default('csv'))
    .option('--out <file>', 'write the output here (default: standard output)')
    .addOption(backendOption())
    .action(async (o: PredictOptions) => {
      process.exitCode = await (await import('./cli-predict.js')).cmdPredict(o);
    });
}

/** Built-in backbones only: an outside plugin's are not loaded while the arguments are parsed. */
function backboneList(v: string, acc: string[] = []): string[] {
  if (!BUILTIN_BACKBONE_NAMES.includes(v)) throw new InvalidArgumentError(`unknown backbone '${v}' (known: ${BUILTIN_BACKBONE_NAMES.join(', ')})`);
  return [...acc, v];
}

export function registerPluginCommand(program: Command): void {
  const plugin = program.command('plugin').description('write and check outside distiller plugins (docs/plugins.md)');
  plugin
    .command('check')
    .description("tries a plugin in seconds on random data, for each backbone's taps and both directions: finite scalar loss, gradients, listed variables, leaks, determinism, strict options, step time")
    .argument('<module>', 'a plugin file, a package folder or an installed package name')
    .option('--backbone <name>', `only this backbone (${BUILTIN_BACKBONE_NAMES.join(', ')}; repeatable)`, backboneList)
    .option('--options <json>', "the plugin's options (default: its defaults)", jsonOptions)
    .option('--seed <n>', 'seed of the random data and of the plugin', (v) => Number.parseInt(v, 10), 1)
    .addOption(backendOption())
    .option('--json', 'the report as JSON')
    .action(async (module: string, o: CheckCommandOptions) => {
      process.exitCode = await (await import('./cli-plugin.js')).cmdPluginCheck(module, o);
    });
  plugin
    .command('new')
    .description('a new plugin package: src/index.ts from a template, a test that runs the checker, a tsconfig against this cmcrd, a README')
    .argument('<name>', "the method name, lowercase (e.g. 'my-loss')")
    .option('--dir <path>', 'where to write it (default: ./<name>); must not exist or be empty')
    .action(async (name: string, o: { dir?: string }) => {
      (await import('./cli-plugin-new.js')).cmdPluginNew(name, o);
    });
}

const jsonOptions = json('--options');
