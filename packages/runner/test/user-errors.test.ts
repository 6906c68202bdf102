import assert from 'node:assert/strict';
import { test } from 'node:test';
import { UserError, type UserErrorLocation } from '@cmcrd/data/user-error';
import { main } from '../src/cli.js';
import { ConfigError, ExportedModelError, loadBuiltins, resolveRun } from '../src/index.js';
import { ModelArtifactError } from '@cmcrd/store';
import { QueueError } from '../src/queue.js';
import { ReportError } from '@cmcrd/reports';
import { StoreFaultError } from '@cmcrd/store';
import { StoreError, StoreNotFoundError } from '@cmcrd/store';
import { SweepFileError } from '../src/sweep-file.js';

loadBuiltins();
const base = { dataset: 'synthetic-seed-iv', method: 'cmcrd' };

function locationOf(input: Record<string, unknown>): UserErrorLocation {
  try {
    resolveRun(input as never);
  } catch (e) {
    assert.ok(e instanceof ConfigError, String(e));
    return e.location;
  }
  assert.fail(`resolveRun accepted ${JSON.stringify(input)}`);
}

test('a refused run config names the path to the refused value in the run input', () => {
  assert.deepEqual(locationOf({ ...base, dataset: 'seed-vii' }).key, ['dataset']);
  assert.deepEqual(locationOf({ ...base, method: 'magic' }).key, ['method']);
  assert.deepEqual(locationOf({ ...base, backbone: 'resnet' }).key, ['backbone']);
  assert.deepEqual(locationOf({ ...base, direction: 'eeg<-em' }).key, ['direction']);
  assert.deepEqual(locationOf({ ...base, protocol: 'leave-two-out' }).key, ['protocol']);
  assert.deepEqual(locationOf({ ...base, folds: ['subject-01', 'subject-99'] }).key, ['folds', 1]);
  // Zod issues of the run schema, and of the plugin's options schema under `options`.
  assert.deepEqual(locationOf({ ...base, epochs: 0 }).key, ['epochs']);
  assert.deepEqual(locationOf({ ...base, unknownKey: 1 }).key, ['unknownKey']);
  assert.deepEqual(locationOf({ ...base, options: { temperature: -1 } }).key, ['options', 'temperature']);
  assert.deepEqual(locationOf({ ...base, options: { bogus: 1 } }).key, ['options', 'bogus']);
  assert.deepEqual(locationOf({ ...base, protocolOptions: { normalisation: 'magic' } }).key, ['protocolOptions', 'normalisation']);
  assert.deepEqual(locationOf({ ...base, protocolOptions: { normalization: 'train' } }).key, ['protocolOptions', 'normalization']);
  assert.deepEqual(locationOf({ dataset: 'synthetic-seed-iv', method: 'eeg-only', options: { us: false, mcc: true } }).key, ['options', 'us']);
  assert.deepEqual(locationOf({ ...base, epochs: 5, warmupEpochs: 10 }), { key: ['warmupEpochs'], related: [['epochs']] });
});

test("the runner's refusals are UserErrors and keep their names", () => {
  const errors = [
    new ConfigError('x'),
    new ModelArtifactError('x'),
    new StoreError('x'),
    new StoreNotFoundError('x'),
    new StoreFaultError('/s.sqlite', 'disk-full', 'SQLITE_FULL'),
    new SweepFileError('s.yaml', 'x', { line: 2, column: 3, key: 'grids[0]' }),
    new QueueError('x'),
    new ReportError('x'),
    new ExportedModelError('x'),
  ];
  for (const e of errors) assert.ok(e instanceof UserError, e.name);
  assert.deepEqual(
    errors.map((e) => e.name),
    ['ConfigError', 'ModelArtifactError', 'StoreError', 'StoreNotFoundError', 'StoreFaultError', 'SweepFileError', 'QueueError', 'ReportError', 'ExportedModelError'],
  );
  assert.equal(errors[4].location.file, '/s.sqlite');
  assert.deepEqual(errors[5].location, { file: 's.yaml', line: 2, column: 3 });
  assert.equal(errors[5].message, 's.yaml:2:3: grids[0]: x');
});

/** Runs the CLI with one extra command that throws `error`; returns the exit code and what it printed. */
async function cliThrowing(error: Error): Promise<{ code: number; printed: string }> {
  const printed: string[] = [];
  const original = console.error;
  console.error = (...args: unknown[]) => void printed.push(args.join(' '));
  try {
    const code = await main(['node', 'cmcrd', 'throw'], [
      (program) => {
        program.command('throw').action(() => {
          throw error;
        });
      },
    ]);
    return { code, printed: printed.join('\n') };
  } finally {
    console.error = original;
  }
}

test('the CLI exits 2 and prints only the message for any UserError, whatever its class or package', async () => {
  class FromSomewhereElse extends UserError {}
  assert.deepEqual(await cliThrowing(new FromSomewhereElse('plugin.yaml: key: refused')), { code: 2, printed: 'cmcrd: plugin.yaml: key: refused' });
  assert.deepEqual(await cliThrowing(new ConfigError('unknown method x')), { code: 2, printed: 'cmcrd: unknown method x' });
  const bug = await cliThrowing(new TypeError('x is undefined'));
  assert.equal(bug.code, 1);
  assert.match(bug.printed, /^cmcrd: TypeError: x is undefined\n {4}at /);
});
