import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { buildProgram, main } from '../src/cli.js';

// Options of `cmcrd run` (and the demo) as parsed, without training anything.
const work = mkdtempSync(join(tmpdir(), 'cmcrd-run-options-'));
after(() => rmSync(work, { recursive: true, force: true }));

/** What the command's action receives for `args`, its action replaced by a recorder. */
async function parsed(command: string, args: string[]): Promise<Record<string, unknown>> {
  const program = buildProgram();
  let seen: Record<string, unknown> | undefined;
  program.commands.find((c) => c.name() === command)?.action((o: Record<string, unknown>) => {
    seen = o;
  });
  await program.parseAsync(['node', 'cmcrd', command, ...args]);
  assert.ok(seen, `${command} ${args.join(' ')} ran no action`);
  return seen;
}

test('run and demo take --keep-models as well as --no-keep-models; given neither, models are kept', async () => {
  for (const [command, required] of [
    ['run', ['--dataset', 'synthetic-seed-iv', '--method', 'eeg-only']],
    ['demo', []],
  ] as const) {
    // cmdRun and runDemo keep the models unless keepModels is false.
    assert.equal((await parsed(command, [...required])).keepModels, undefined);
    assert.equal((await parsed(command, [...required, '--keep-models'])).keepModels, true);
    assert.equal((await parsed(command, [...required, '--no-keep-models'])).keepModels, false);
  }
});

test('cmcrd run --direction em- (cut by the shell at >): exit 2, says to quote it, writes nothing', async () => {
  const errors: string[] = [];
  const error = console.error;
  console.error = (...a: unknown[]) => errors.push(a.join(' '));
  const db = join(work, 'cut.sqlite');
  try {
    const code = await main(['node', 'cmcrd', 'run', '--dataset', 'synthetic-seed-iv', '--method', 'cmcrd', '--direction', 'em-', '--keep-models', '--db', db]);
    assert.equal(code, 2);
  } finally {
    console.error = error;
  }
  assert.equal(errors.length, 1, errors.join('\n'));
  assert.match(errors[0], /^cmcrd: unknown direction 'em-' \(known: em->eeg, eeg->em\): the shell cut em->eeg at '>'.*quote it: --direction 'em->eeg'$/);
  assert.deepEqual(readdirSync(work), []);
});
