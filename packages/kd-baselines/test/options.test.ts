import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import {
  checkPlugin,
  type DistillerPlugin,
  OptionsError,
  parseDistillerOptions,
  selectBackend,
} from '@cmcrd/core';
import crdDefault from '../src/crd.js';
import fitnetDefault from '../src/fitnet.js';
import {
  builtinDistillers,
  crdPlugin,
  fitnetPlugin,
  kdPlugin,
  nstPlugin,
  pktPlugin,
  rkdPlugin,
  spPlugin,
} from '../src/index.js';
import kdDefault from '../src/kd.js';
import nstDefault from '../src/nst.js';
import pktDefault from '../src/pkt.js';
import rkdDefault from '../src/rkd.js';
import spDefault from '../src/sp.js';

before(async () => {
  await selectBackend('cpu');
});

const plugins = builtinDistillers as DistillerPlugin[];
const byName = (name: string) => plugins.find((p) => p.name === name)!;

describe('the plugin list', () => {
  test('seven plugins under their registry keys, each the default and the named export of its file', () => {
    assert.deepEqual(
      plugins.map((p) => p.name),
      ['kd', 'fitnet', 'nst', 'sp', 'rkd', 'pkt', 'crd'],
    );
    for (const p of plugins) checkPlugin(p, `@cmcrd/kd-baselines/${p.name}`);
    const pairs: [unknown, unknown][] = [
      [kdDefault, kdPlugin],
      [fitnetDefault, fitnetPlugin],
      [nstDefault, nstPlugin],
      [spDefault, spPlugin],
      [rkdDefault, rkdPlugin],
      [pktDefault, pktPlugin],
      [crdDefault, crdPlugin],
    ];
    pairs.forEach(([d, n], i) => {
      assert.equal(d, n, `file ${i}: default export differs from the named one`);
      assert.equal(d, plugins[i]);
    });
  });
});

describe('option schemas', () => {
  test('defaults are the reference weights and parameters of DESIGN.md §3', () => {
    // By hand from DESIGN.md §3 (and §2 for CRD: τ 0.07, dim 128; m 0.5 as in CRD).
    const expected: Record<string, Record<string, unknown>> = {
      kd: { weight: 10, temperature: 4 },
      fitnet: { weight: 1 },
      nst: { weight: 10 },
      sp: { weight: 100 },
      rkd: { weight: 1, distanceWeight: 25, angleWeight: 50 },
      pkt: { weight: 1000, eps: 1e-7 },
      crd: { weight: 0.02, dim: 128, temperature: 0.07, momentum: 0.5, negatives: 1200 },
    };
    for (const p of plugins) assert.deepEqual(parseDistillerOptions(p, {}), expected[p.name], p.name);
  });

  test('given values are kept; CRD takes the runner’s K under `negatives`, the others refuse it', () => {
    assert.equal(parseDistillerOptions(byName('kd'), { temperature: 2 }).temperature, 2);
    assert.equal(parseDistillerOptions(byName('crd'), { negatives: 21000 }).negatives, 21000);
    for (const p of plugins.filter((q) => q.name !== 'crd'))
      assert.equal(p.options.safeParse({ negatives: 900 }).success, false, p.name);
  });

  test('CRD takes its default K from the options context; a given K wins; the others ignore the context', () => {
    assert.equal(parseDistillerOptions(byName('crd'), {}, { negatives: 25000 }).negatives, 25000);
    assert.equal(parseDistillerOptions(byName('crd'), { negatives: 64 }, { negatives: 25000 }).negatives, 64);
    // The rest of CRD's defaults are untouched by the context.
    assert.deepEqual(parseDistillerOptions(byName('crd'), {}, { negatives: 900 }), { weight: 0.02, dim: 128, temperature: 0.07, momentum: 0.5, negatives: 900 });
    for (const p of plugins.filter((q) => q.name !== 'crd'))
      assert.deepEqual(parseDistillerOptions(p, {}, { negatives: 900 }), parseDistillerOptions(p, {}), p.name);
  });

  test('unknown keys are rejected', () => {
    for (const p of plugins) {
      assert.throws(() => parseDistillerOptions(p, { wieght: 1 }), OptionsError, p.name);
    }
    // CRD's US and IEW are fixed off (that is what makes it CRD rather than CMCRD).
    assert.throws(() => parseDistillerOptions(byName('crd'), { us: true }), OptionsError);
    assert.throws(() => parseDistillerOptions(byName('crd'), { iew: false }), OptionsError);
  });

  test('out-of-range and mistyped values are rejected', () => {
    const bad: [string, Record<string, unknown>][] = [
      ...plugins.map((p): [string, Record<string, unknown>] => [p.name, { weight: -1 }]),
      ...plugins.map((p): [string, Record<string, unknown>] => [p.name, { weight: '10' }]),
      ['kd', { temperature: 0 }],
      ['kd', { temperature: -4 }],
      ['rkd', { distanceWeight: -25 }],
      ['rkd', { angleWeight: -50 }],
      ['pkt', { eps: 0 }],
      ['pkt', { eps: 1 }],
      ['crd', { temperature: 0 }],
      ['crd', { momentum: 1.5 }],
      ['crd', { momentum: -0.1 }],
      ['crd', { dim: 0 }],
      ['crd', { dim: 12.5 }],
      ['crd', { negatives: 0 }],
      ['crd', { negatives: 2.5 }],
    ];
    for (const [name, raw] of bad)
      assert.throws(
        () => parseDistillerOptions(byName(name), raw),
        OptionsError,
        `${name} ${JSON.stringify(raw)}`,
      );
  });
});
