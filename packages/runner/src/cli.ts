import { availableParallelism } from 'node:os';
import { BUILTIN_BACKBONE_NAMES } from '@cmcrd/core/names';
import { DATASET_NAMES, PROTOCOL_NAMES, RELEASE_NAMES } from '@cmcrd/data/names';
import { Command, Option } from 'commander';
import { collectPlugin, int, json, keyValue } from './cli-args.js';
import {
  backendOption,
  registerDataCommands,
  registerListCommands,
  registerExportCommand,
  registerPluginCommand,
  registerPredictCommand,
  registerReportCommand,
  registerSweepCommand,
  registerWorkerCommand,
} from './cli-commands.js';
import { DEFAULT_DB, userPath } from '@cmcrd/store/paths';
import { RUN_DEFAULTS } from './run-defaults.js';
import { CMCRD_VERSION } from './version.js';

// The `cmcrd` command tree and its main. This module and the ones it imports load no TensorFlow.js,
// BullMQ, plugin or dataset code: every action imports its own module when it runs (apps/cli
// assembles the command and runs it; test/cli-startup.test.ts checks what --help loads).

const workersOption = () =>
  new Option('--workers <n>', 'parallel worker processes, each with its own backend').argParser(int('--workers')).default(availableParallelism(), 'the number of cores');

// `run` and `demo` keep each fold's model unless told not to; --keep-models (as on `sweep`) is accepted
// too. Commander sets no default when both are declared: not given (undefined) means kept, as `cmdRun`
// and `runDemo` read it.
const keepModelsOption = () => new Option('--keep-models', "store each fold's trained model, for cmcrd export (the default)");
const noKeepModelsOption = () => new Option('--no-keep-models', "do not store each fold's trained model");

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
    .hook('preAction', async (cmd) => {
      const dir = cmd.opts().dataDir as string | undefined;
      // Through the environment, so that worker processes see it too.
      if (dir) process.env.CMCRD_DATA_DIR = userPath(dir);
      // The built-in distillers (and TensorFlow.js with them) are loaded by what needs them
      // (resolveRun, distillerOf, list, plugin loading), so that report and serve never load them.
    });

  program
    .command('demo')
    .description('the demo sweep: synthetic SEED-IV, DNN, within-subject: EEG-only, EM-only, fusion, the seven baselines and CMCRD')
    .option('--db <path>', 'SQLite store', DEFAULT_DB)
    .option('--subjects <n>', 'how many subjects (default 4 of 15)', int('--subjects'))
    .option('--methods <list>', 'comma-separated subset of the methods (default: all eleven)', (v: string) => v.split(',').map((m) => m.trim()).filter(Boolean))
    .addOption(keepModelsOption())
    .addOption(noKeepModelsOption())
    .addOption(workersOption())
    .addOption(backendOption())
    .action(async (o) => {
      const { runDemo } = await import('./demo.js');
      process.exitCode = await runDemo({ db: userPath(o.db), workers: o.workers, backend: o.backend, subjects: o.subjects, methods: o.methods, keepModels: o.keepModels });
    });

  program
    .command('run')
    .description('one cell: every fold of (dataset, protocol, backbone, method, direction, seed)')
    .requiredOption('--dataset <name>', `dataset (${[...DATASET_NAMES, ...RELEASE_NAMES].join(', ')}; releases once imported)`)
    .requiredOption('--method <name>', 'method (eeg-only, em-only, fusion or a distiller)')
    .option('--protocol <name>', `protocol (${PROTOCOL_NAMES.join(', ')})`, RUN_DEFAULTS.protocol)
    .option('--backbone <name>', `backbone (${BUILTIN_BACKBONE_NAMES.join(', ')})`, RUN_DEFAULTS.backbone)
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
    .addOption(keepModelsOption())
    .addOption(noKeepModelsOption())
    .addOption(workersOption())
    .addOption(backendOption())
    .action(async (o) => {
      process.exitCode = await (await import('./cli-run.js')).cmdRun(o);
    });

  program
    .command('list')
    .description('datasets, protocols, backbones, methods and backends known here')
    .option('--plugin <module>', 'also list an outside distiller plugin (repeatable)', collectPlugin)
    .action(async (o) => {
      await (await import('./cli-list.js')).cmdList(o);
    });
  program
    .command('merge')
    .description("merges the stores of a sweep's shards (one per Slurm array task) into one store; idempotent: merging again adds nothing")
    .argument('<shards...>', 'the shard stores')
    .requiredOption('--into <store>', 'the store to merge into (created when missing)')
    .action(async (shards: string[], o: { into: string }) => {
      process.exitCode = (await import('./cli-merge.js')).cmdMerge(shards, o);
    });
  registerReportCommand(program, int);
  registerListCommands(program);
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
    return (await import('./cli-errors.js')).reportCliError(err, argv);
  }
}

/** `cmcrd report … | head` closes the pipe early: stop quietly instead of throwing EPIPE. */
export function exitQuietlyOnClosedPipe(): void {
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw e;
  });
}
