// The three backbones' inference passes as graph models (see graph-def.ts). Each mirrors the
// `apply(x, false)` of its class in packages/core/src/backbones op for op; the weights arrive in
// the backbone's snapshot order. The sizes below are the backbones' own constants, restated here
// so that exporting needs no TensorFlow.js; the export tests fail if the two ever disagree.
import { ReportError } from '../errors.js';
import type { ModelArchitecture } from '@cmcrd/store/read';
import { GraphBuilder, type GraphModelFiles } from './graph-def.js';

const BN_EPS = 1e-5;

function take(weights: Float32Array[], what: string) {
  let i = 0;
  return (name: string, size: number): Float32Array => {
    const w = weights[i++];
    if (!w) throw new Error(`${what}: the stored weights end before ${name}`);
    if (w.length !== size) throw new Error(`${what}: stored ${name} has ${w.length} values, the architecture needs ${size}`);
    return w;
  };
}

function finish(g: GraphBuilder, logits: string, arch: ModelArchitecture): GraphModelFiles {
  const probabilities = g.op('probabilities', 'Softmax', [logits]);
  return g.build({ input: 'x', inputDim: arch.inputDim, outputs: { probabilities, logits }, generatedBy: `cmcrd ${arch.backbone}` });
}

/** 4 × [Linear(128, no bias) → BatchNorm (running statistics) → ReLU] on [features, batch] → Linear(c). */
function dnnGraph(arch: ModelArchitecture, weights: Float32Array[]): GraphModelFiles {
  const HIDDEN = 128;
  const next = take(weights, 'dnn');
  const g = new GraphBuilder();
  const eps = g.scalar('bn_eps', BN_EPS);
  let hT = g.transpose('x_t', g.input('x', [-1, arch.inputDim]), [1, 0]);
  let fanIn = arch.inputDim;
  for (let b = 0; b < 4; b++) {
    const p = `block${b}`;
    const w = g.weight(`${p}/w`, next('w', HIDDEN * fanIn), [HIDDEN, fanIn]);
    const gamma = g.weight(`${p}/gamma`, next('gamma', HIDDEN), [HIDDEN, 1]);
    const beta = g.weight(`${p}/beta`, next('beta', HIDDEN), [HIDDEN, 1]);
    const mean = g.weight(`${p}/running_mean`, next('running_mean', HIDDEN), [HIDDEN, 1]);
    const variance = g.weight(`${p}/running_var`, next('running_var', HIDDEN), [HIDDEN, 1]);
    const h = g.matMul(`${p}/matmul`, w, hT);
    const rstd = g.op(`${p}/rstd`, 'Rsqrt', [g.op(`${p}/var_eps`, 'AddV2', [variance, eps])]);
    const norm = g.op(`${p}/norm`, 'Mul', [g.op(`${p}/centred`, 'Sub', [h, mean]), rstd]);
    hT = g.op(`${p}/relu`, 'Relu', [g.op(`${p}/shift`, 'AddV2', [g.op(`${p}/scale`, 'Mul', [norm, gamma]), beta])]);
    fanIn = HIDDEN;
  }
  const c = arch.numClasses;
  const headW = g.weight('head/w', next('head/w', HIDDEN * c), [HIDDEN, c]);
  const headB = g.weight('head/b', next('head/b', c), [c]);
  const features = g.transpose('features', hT, [1, 0]);
  return finish(g, g.op('logits', 'AddV2', [g.matMul('head/matmul', features, headW), headB]), arch);
}

/** DGCNN: column BatchNorm, D^−1/2 relu(A) D^−1/2, supports [I, L], ReLU, flatten → Linear(c). */
function dgcnnGraph(arch: ModelArchitecture, weights: Float32Array[]): GraphModelFiles {
  const GRAPH_OUT = 16;
  const [n, f] = arch.modality === 'eeg' ? [62, 5] : [arch.inputDim, 1];
  const next = take(weights, 'dgcnn');
  const g = new GraphBuilder();
  const x = g.input('x', [-1, arch.inputDim]);
  const gamma = g.weight('bn/gamma', next('bn/gamma', f), [f]);
  const beta = g.weight('bn/beta', next('bn/beta', f), [f]);
  const mean = g.weight('bn/running_mean', next('bn/running_mean', f), [f]);
  const variance = g.weight('bn/running_var', next('bn/running_var', f), [f]);
  const adjacency = g.weight('adjacency', next('adjacency', n * n), [n, n]);
  const graphW = g.weight('graph_w', next('graph_w', 2 * f * GRAPH_OUT), [2 * f, GRAPH_OUT]);
  const c = arch.numClasses;
  const headW = g.weight('head/w', next('head/w', n * GRAPH_OUT * c), [n * GRAPH_OUT, c]);
  const headB = g.weight('head/b', next('head/b', c), [c]);

  const rows = g.reshape('bn/rows', x, [-1, f]);
  const rstd = g.op('bn/rstd', 'Rsqrt', [g.op('bn/var_eps', 'AddV2', [variance, g.scalar('bn_eps', BN_EPS)])]);
  const xhat = g.op('bn/xhat', 'Mul', [g.op('bn/centred', 'Sub', [rows, mean]), rstd]);
  const normed = g.op('bn/out', 'AddV2', [g.op('bn/scale', 'Mul', [xhat, gamma]), beta]);
  const byNode = g.reshape('by_node', g.transpose('by_node/t', g.reshape('by_node/r', normed, [-1, n, f]), [1, 0, 2]), [n, -1]);
  const a = g.op('adj/relu', 'Relu', [adjacency]);
  const degree = g.op('adj/degree', 'Sum', [a, g.ints('adj/degree/axis', [1])], { keep_dims: { b: false } });
  const dInvSqrt = g.op('adj/d_inv_sqrt', 'Rsqrt', [g.op('adj/degree_eps', 'AddV2', [degree, g.scalar('degree_eps', 1e-10)])]);
  const lap = g.op('adj/lap', 'Mul', [
    g.op('adj/rows', 'Mul', [a, g.reshape('adj/d_col', dInvSqrt, [-1, 1])]),
    g.reshape('adj/d_row', dInvSqrt, [1, -1]),
  ]);
  const filtered = g.matMul('support1', lap, byNode);
  const stacked = g.reshape(
    'stacked',
    g.concat('stacked/concat', [g.reshape('support0/r', byNode, [n, -1, f]), g.reshape('support1/r', filtered, [n, -1, f])], 2),
    [-1, 2 * f],
  );
  const conv = g.op('conv', 'Relu', [g.matMul('conv/matmul', stacked, graphW)]);
  const deep = g.reshape('deep', g.transpose('deep/t', g.reshape('deep/r', conv, [n, -1, GRAPH_OUT]), [1, 0, 2]), [-1, n * GRAPH_OUT]);
  return finish(g, g.op('logits', 'AddV2', [g.matMul('head/matmul', deep, headW), headB]), arch);
}

/** BiHDM's four hemisphere streams (packages/core/src/backbones/bihdm.ts), in its stacking order. */
export const BIHDM_LOCAL_STREAMS: readonly (readonly number[])[] = [
  [0, 3, 5, 6, 7, 8, 14, 15, 16, 17, 23, 24, 25, 26, 32, 33, 34, 35, 41, 42, 43, 44, 50, 52, 58],
  [0, 5, 14, 23, 32, 41, 50, 3, 6, 15, 24, 33, 42, 58, 7, 16, 25, 34, 43, 52, 8, 17, 26, 35, 44],
  [2, 4, 13, 12, 11, 10, 22, 21, 20, 19, 31, 30, 29, 28, 40, 39, 38, 37, 49, 48, 47, 46, 56, 54, 60],
  [2, 13, 22, 31, 40, 49, 56, 4, 12, 21, 30, 39, 48, 60, 11, 20, 29, 38, 47, 54, 10, 19, 28, 37, 46],
];

function eye(n: number, sign = 1): Float32Array {
  // Off-diagonal zeros carry the sign too: tf.neg(tf.eye(n)) holds −0 there.
  const out = new Float32Array(n * n).fill(sign < 0 ? -0 : 0);
  for (let i = 0; i < n; i++) out[i * n + i] = sign;
  return out;
}

function blockDiagonal(g: GraphBuilder, name: string, blocks: string, s: number, a: number, b: number): string {
  if (s === 1) return g.reshape(name, blocks, [a, b]);
  const masked = g.op(`${name}/masked`, 'Mul', [g.reshape(`${name}/r`, blocks, [s, a, 1, b]), g.weight(`${name}/mask`, eye(s), [s, 1, s, 1])]);
  return g.reshape(name, masked, [s * a, s * b]);
}

/** core's stackedTanhRnn forward pass: tanh through 2σ(2a) − 1, the state carried as σ. */
function tanhRnn(g: GraphBuilder, name: string, inputTerm: string, recurrent: string, s: number, h: number, steps: number): string {
  const width = s * h;
  const blocks = blockDiagonal(g, `${name}/blocks`, recurrent, s, h, h);
  const twiceInput = g.op(`${name}/twice_input`, 'Mul', [inputTerm, g.scalar(`${name}/two`, 2)]);
  const stepOf = (src: string, t: number, tag: string) =>
    g.reshape(
      `${name}/${tag}${t}`,
      g.op(`${name}/${tag}${t}/slice`, 'Slice', [g.reshape(`${name}/${tag}${t}/steps`, src, [steps, -1, width]), g.ints(`${name}/${tag}${t}/begin`, [t, 0, 0]), g.ints(`${name}/${tag}${t}/size`, [1, -1, -1])]),
      [-1, width],
    );
  const sigmas: string[] = [];
  if (steps === 1) {
    sigmas.push(g.op(`${name}/sigma0`, 'Sigmoid', [stepOf(twiceInput, 0, 'in')]));
  } else {
    const colSum = g.op(`${name}/col_sum`, 'Sum', [blocks, g.ints(`${name}/col_sum/axis`, [0])], { keep_dims: { b: false } });
    const shifted = g.op(`${name}/shifted`, 'Sub', [twiceInput, g.op(`${name}/col_sum2`, 'Mul', [colSum, g.scalar(`${name}/two_b`, 2)])]);
    const fourU = g.op(`${name}/four_u`, 'Mul', [blocks, g.scalar(`${name}/four`, 4)]);
    let prev = g.op(`${name}/sigma0`, 'Sigmoid', [stepOf(twiceInput, 0, 'in')]);
    sigmas.push(prev);
    for (let t = 1; t < steps; t++) {
      const pre = g.op(`${name}/pre${t}`, 'AddV2', [stepOf(shifted, t, 'shifted'), g.matMul(`${name}/rec${t}`, prev, fourU)]);
      prev = g.op(`${name}/sigma${t}`, 'Sigmoid', [pre]);
      sigmas.push(prev);
    }
  }
  const all = steps === 1 ? sigmas[0] : g.concat(`${name}/all`, sigmas, 0);
  return g.op(`${name}/states`, 'Sub', [g.op(`${name}/twice_states`, 'Mul', [all, g.scalar(`${name}/two_c`, 2)]), g.scalar(`${name}/one`, 1)]);
}

/** BiHDM: four hemisphere RNNs, left − right, two global RNNs, position projections, → Linear(c). */
function bihdmGraph(arch: ModelArchitecture, weights: Float32Array[]): GraphModelFiles {
  const K = 6;
  const eeg = arch.modality === 'eeg';
  const [t, f, h, gh, dOut] = eeg ? [25, 5, 32, 32, 16] : [1, arch.inputDim, 16, 16, 8];
  const streams = eeg ? BIHDM_LOCAL_STREAMS : [[0], [0], [0], [0]];
  const next = take(weights, 'bihdm');
  const g = new GraphBuilder();
  const x = g.input('x', [-1, arch.inputDim]);
  const localW = g.weight('local/w', next('local/w', 4 * f * h), [4, f, h]);
  const localU = g.weight('local/u', next('local/u', 4 * h * h), [4, h, h]);
  const localB = g.weight('local/b', next('local/b', 4 * h), [4 * h]);
  const globalW = g.weight('global/w', next('global/w', 2 * h * gh), [2, h, gh]);
  const globalU = g.weight('global/u', next('global/u', 2 * gh * gh), [2, gh, gh]);
  const globalB = g.weight('global/b', next('global/b', 2 * gh), [2 * gh]);
  const positions = g.weight('positions', next('positions', 2 * K * t), [2, K, t]);
  const outMap = g.weight('out_map', next('out_map', 2 * gh * dOut), [2, gh, dOut]);
  const d = dOut * K;
  const c = arch.numClasses;
  const headW = g.weight('head/w', next('head/w', d * c), [d, c]);
  const headB = g.weight('head/b', next('head/b', c), [c]);

  // The host-side read of core's Bihdm.sequences as a gather: [steps·batch, 4f], time-major rows.
  const order: number[] = [];
  for (let step = 0; step < t; step++) for (let col = 0; col < 4 * f; col++) order.push(streams[Math.floor(col / f)][step] * f + (col % f));
  const gathered = g.op('sequences/gather', 'GatherV2', [x, g.ints('sequences/index', order), g.ints('sequences/axis', [1])], { batch_dims: { i: '0' } });
  const sequences = g.reshape('sequences', g.transpose('sequences/t', g.reshape('sequences/r', gathered, [-1, t, 4 * f]), [1, 0, 2]), [-1, 4 * f]);
  const localIn = g.op('local/in', 'AddV2', [g.matMul('local/in/matmul', sequences, blockDiagonal(g, 'local/w_blocks', localW, 4, f, h)), localB]);
  const localStates = tanhRnn(g, 'local/rnn', localIn, localU, 4, h, t);
  const leftMinusRight = new Float32Array(4 * h * 2 * h);
  leftMinusRight.set(eye(2 * h), 0);
  leftMinusRight.set(eye(2 * h, -1), 4 * h * h);
  const discrepancy = g.matMul('discrepancy', localStates, g.weight('left_minus_right', leftMinusRight, [4 * h, 2 * h]));
  const globalIn = g.op('global/in', 'AddV2', [g.matMul('global/in/matmul', discrepancy, blockDiagonal(g, 'global/w_blocks', globalW, 2, h, gh)), globalB]);
  const globalStates = tanhRnn(g, 'global/rnn', globalIn, globalU, 2, gh, t);
  const pooledAll = g.matMul('pooled_all', g.reshape('positions/r', positions, [2 * K, t]), g.reshape('global/states_r', globalStates, [t, -1]));
  const own = g.op('own', 'Mul', [g.reshape('pooled_all/r', pooledAll, [2, -1, 2, gh]), g.weight('own_direction', eye(2), [2, 1, 2, 1])]);
  const foldValues = new Float32Array(2 * gh * gh);
  foldValues.set(eye(gh), 0);
  foldValues.set(eye(gh), gh * gh);
  const pooled = g.matMul('pooled', g.reshape('own/r', own, [-1, 2 * gh]), g.weight('fold', foldValues, [2 * gh, gh]));
  const activated = g.op('activated', 'LeakyRelu', [pooled], { alpha: { f: 0.01 } });
  const sideBySide = g.reshape('side_by_side', g.transpose('side_by_side/t', g.reshape('side_by_side/r', activated, [2, -1, gh]), [1, 0, 2]), [-1, 2 * gh]);
  const mapped = g.matMul('mapped', sideBySide, g.reshape('out_map/r', outMap, [2 * gh, dOut]));
  const deep = g.reshape('deep', g.transpose('deep/t', g.reshape('deep/r', mapped, [K, -1, dOut]), [1, 2, 0]), [-1, d]);
  return finish(g, g.op('logits', 'AddV2', [g.matMul('head/matmul', deep, headW), headB]), arch);
}

/** Each exporter, and how many arrays its backbone's snapshot holds. */
const GRAPHS: Record<string, { build: (arch: ModelArchitecture, weights: Float32Array[]) => GraphModelFiles; arrays: number }> = {
  dnn: { build: dnnGraph, arrays: 4 * 5 + 2 },
  dgcnn: { build: dgcnnGraph, arrays: 8 },
  bihdm: { build: bihdmGraph, arrays: 10 },
};

export class UnexportableModelError extends ReportError {
  override name = 'UnexportableModelError';
}

/** The TensorFlow.js graph model of a stored model (model.json and its weight shard). */
export function graphModelOf(arch: ModelArchitecture, weights: Float32Array[]): GraphModelFiles {
  const exporter = GRAPHS[arch.backbone];
  if (!exporter) {
    throw new UnexportableModelError(`cannot export a '${arch.backbone}' model: only ${Object.keys(GRAPHS).join(', ')} have a graph-model exporter`);
  }
  if (weights.length !== exporter.arrays) {
    throw new UnexportableModelError(`the stored ${arch.backbone} model has ${weights.length} weight arrays, its architecture has ${exporter.arrays}`);
  }
  return exporter.build(arch, weights);
}
