// A TensorFlow.js graph model written by hand: the GraphDef (as the converter's model.json holds
// it), its weights manifest and the weights' bytes. The exported backbones are spelled out in the
// same ops, in the same order, as their inference passes in @cmcrd/core, so that tfjs computes the
// same numbers (tests/model-export.test.ts checks them against the backbones on every backend).
//
// Plain data, no TensorFlow.js: the API builds exports from stored weights without loading it.

type DType = 'DT_FLOAT' | 'DT_INT32';
type Attr = { b: boolean } | { f: number } | { i: string } | { type: DType } | { shape: TensorShape } | { tensor: { dtype: DType; tensorShape: TensorShape } };
interface TensorShape {
  dim: { size: string }[];
}
interface NodeDef {
  name: string;
  op: string;
  input: string[];
  attr: Record<string, Attr>;
}
interface WeightSpec {
  name: string;
  shape: number[];
  dtype: 'float32' | 'int32';
}

const shapeOf = (dims: number[]): TensorShape => ({ dim: dims.map((d) => ({ size: String(d) })) });
const FLOAT = { type: 'DT_FLOAT' } as const;

export interface GraphModelFiles {
  /** model.json's content. */
  modelJson: Record<string, unknown>;
  /** The single weight shard (its name is in modelJson's manifest). */
  shard: Uint8Array;
}

export const WEIGHT_SHARD = 'group1-shard1of1.bin';

export class GraphBuilder {
  private readonly nodes: NodeDef[] = [];
  private readonly specs: WeightSpec[] = [];
  private readonly data: Uint8Array[] = [];
  private readonly names = new Set<string>();

  private add(node: NodeDef): string {
    if (this.names.has(node.name)) throw new Error(`graph node ${node.name} defined twice`);
    this.names.add(node.name);
    this.nodes.push(node);
    return node.name;
  }

  input(name: string, dims: number[]): string {
    return this.add({ name, op: 'Placeholder', input: [], attr: { dtype: FLOAT, shape: { shape: shapeOf(dims) } } });
  }

  /** A float32 constant (a weight), row-major in `dims`. */
  weight(name: string, values: Float32Array, dims: number[]): string {
    const size = dims.reduce((a, b) => a * b, 1);
    if (values.length !== size) throw new Error(`weight ${name}: ${values.length} values do not fill [${dims}]`);
    this.specs.push({ name, shape: dims, dtype: 'float32' });
    this.data.push(new Uint8Array(Float32Array.from(values).buffer));
    return this.add({ name, op: 'Const', input: [], attr: { dtype: FLOAT, value: { tensor: { dtype: 'DT_FLOAT', tensorShape: shapeOf(dims) } } } });
  }

  scalar(name: string, value: number): string {
    return this.weight(name, Float32Array.of(value), []);
  }

  /** An int32 constant: shapes, permutations, axes, indices. */
  ints(name: string, values: readonly number[]): string {
    this.specs.push({ name, shape: [values.length], dtype: 'int32' });
    this.data.push(new Uint8Array(Int32Array.from(values).buffer));
    return this.add({ name, op: 'Const', input: [], attr: { dtype: { type: 'DT_INT32' }, value: { tensor: { dtype: 'DT_INT32', tensorShape: shapeOf([values.length]) } } } });
  }

  op(name: string, op: string, inputs: string[], attr: Record<string, Attr> = {}): string {
    for (const i of inputs) if (!this.names.has(i)) throw new Error(`graph node ${name}: unknown input ${i}`);
    return this.add({ name, op, input: inputs, attr: { T: FLOAT, ...attr } });
  }

  matMul(name: string, a: string, b: string, transposeA = false, transposeB = false): string {
    return this.op(name, 'MatMul', [a, b], { transpose_a: { b: transposeA }, transpose_b: { b: transposeB } });
  }

  reshape(name: string, x: string, dims: number[]): string {
    return this.op(name, 'Reshape', [x, this.ints(`${name}/shape`, dims)]);
  }

  transpose(name: string, x: string, perm: number[]): string {
    return this.op(name, 'Transpose', [x, this.ints(`${name}/perm`, perm)]);
  }

  concat(name: string, xs: string[], axis: number): string {
    return this.op(name, 'ConcatV2', [...xs, this.ints(`${name}/axis`, [axis])], { N: { i: String(xs.length) } });
  }

  build(meta: { input: string; inputDim: number; outputs: Record<string, string>; generatedBy: string }): GraphModelFiles {
    const total = this.data.reduce((s, d) => s + d.length, 0);
    const shard = new Uint8Array(total);
    let o = 0;
    for (const d of this.data) {
      shard.set(d, o);
      o += d.length;
    }
    return {
      modelJson: {
        format: 'graph-model',
        generatedBy: meta.generatedBy,
        convertedBy: 'cmcrd export (hand-written GraphDef)',
        modelTopology: { node: this.nodes, library: {}, versions: {} },
        signature: {
          inputs: { x: { name: `${meta.input}:0`, dtype: 'DT_FLOAT', tensorShape: shapeOf([-1, meta.inputDim]) } },
          outputs: Object.fromEntries(Object.entries(meta.outputs).map(([k, node]) => [k, { name: `${node}:0`, dtype: 'DT_FLOAT' }])),
        },
        weightsManifest: [{ paths: [WEIGHT_SHARD], weights: this.specs }],
      },
      shard,
    };
  }
}
