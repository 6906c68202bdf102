import assert from 'node:assert/strict';
import { test } from 'node:test';
import { UserError } from '@cmcrd/data/user-error';
import { z } from 'zod';
import {
  BackendError,
  DeviceLostError,
  DistillerFailure,
  GpuError,
  getBackbone,
  getDistiller,
  OptionsError,
  PluginContractError,
  parseDistillerOptions,
  TrainingDivergedError,
  UnknownBackboneError,
  UnknownMethodError,
  checkPlugin,
} from '../src/index.js';

const toy = {
  name: 'toy',
  options: z.object({ weight: z.number().default(1), inner: z.object({ t: z.number() }).strict().optional() }).strict(),
} as never;

function caught(f: () => unknown): Error {
  try {
    f();
  } catch (e) {
    return e as Error;
  }
  assert.fail('expected a throw');
}

test('refused options name the path to the first refused option, with the message unchanged', () => {
  const bad = caught(() => parseDistillerOptions(toy, { weight: 'x' }));
  assert.ok(bad instanceof OptionsError && bad instanceof UserError);
  assert.match(bad.message, /^options of 'toy': weight: /);
  assert.deepEqual(bad.location.key, ['weight']);
  const nested = caught(() => parseDistillerOptions(toy, { inner: { t: 'x' } })) as OptionsError;
  assert.deepEqual(nested.location.key, ['inner', 't']);
  // An unrecognised key is named by the key itself, not by the object that holds it.
  const unknown = caught(() => parseDistillerOptions(toy, { wieght: 1 })) as OptionsError;
  assert.match(unknown.message, /^options of 'toy': \(options\): Unrecognized key: "wieght"/);
  assert.deepEqual(unknown.location.key, ['wieght']);
  const unknownInner = caught(() => parseDistillerOptions(toy, { inner: { t: 1, u: 2 } })) as OptionsError;
  assert.deepEqual(unknownInner.location.key, ['inner', 'u']);
});

test("core's refusals of user input are UserErrors; failures during a fold are not", () => {
  const refusals = [
    caught(() => getDistiller('no-such')),
    caught(() => getBackbone('no-such')),
    caught(() => checkPlugin(undefined, 'x.ts')),
    new BackendError('backend webgpu is not available'),
  ];
  assert.deepEqual(
    refusals.map((e) => [e.name, e instanceof UserError]),
    [
      ['UnknownMethodError', true],
      ['UnknownBackboneError', true],
      ['PluginContractError', true],
      ['BackendError', true],
    ],
  );
  assert.ok(refusals[0] instanceof UnknownMethodError && refusals[1] instanceof UnknownBackboneError && refusals[2] instanceof PluginContractError);
  for (const e of [new TrainingDivergedError('x'), new DeviceLostError('x'), new GpuError('x'), new DistillerFailure('kd', 'x')]) {
    assert.ok(!(e instanceof UserError), e.name);
  }
});
