import { tf } from './tf.js';

type KernelConfig = NonNullable<ReturnType<typeof tf.getKernel>>;
type KernelArgs = Parameters<KernelConfig['kernelFunc']>[0];
type Info = tf.TensorInfo;

let patched = false;

/** Re-registers the wasm kernels below; idempotent. */
export function patchWasmKernels(): void {
  patchWasmMatMul();
  patchWasmSlice();
}

/**
 * tfjs-backend-wasm multiplies transposed operands about 10× slower than plain ones (its fast
 * XNNPACK path takes only untransposed inputs), and every matMul gradient asks for a transposed
 * operand. Measured here (32×310 by 310×128): 2.15 ms with transposeA, 0.07 ms transpose + 0.24 ms
 * plain. This re-registers BatchMatMul on wasm to transpose explicitly, then multiply plainly.
 */
function patchWasmMatMul(): void {
  if (patched) return;
  const original = tf.getKernel('BatchMatMul', 'wasm');
  const transpose = tf.getKernel('Transpose', 'wasm');
  if (!original || !transpose) return;
  patched = true;
  const swapLast = (x: Info, args: KernelArgs): Info => {
    const rank = x.shape.length;
    const perm = [...Array(rank).keys()];
    [perm[rank - 2], perm[rank - 1]] = [perm[rank - 1], perm[rank - 2]];
    return transpose.kernelFunc({ inputs: { x }, attrs: { perm }, backend: args.backend }) as Info;
  };
  tf.unregisterKernel('BatchMatMul', 'wasm');
  tf.registerKernel({
    kernelName: 'BatchMatMul',
    backendName: 'wasm',
    setupFunc: original.setupFunc,
    disposeFunc: original.disposeFunc,
    kernelFunc: (args: KernelArgs) => {
      const { transposeA, transposeB } = args.attrs as { transposeA: boolean; transposeB: boolean };
      if (!transposeA && !transposeB) return original.kernelFunc(args);
      const { a, b } = args.inputs as { a: Info; b: Info };
      const at = transposeA ? swapLast(a, args) : a;
      const bt = transposeB ? swapLast(b, args) : b;
      const out = original.kernelFunc({
        ...args,
        inputs: { a: at, b: bt },
        attrs: { ...args.attrs, transposeA: false, transposeB: false },
      });
      if (at !== a) (args.backend as tf.KernelBackend).disposeData(at.dataId);
      if (bt !== b) (args.backend as tf.KernelBackend).disposeData(bt.dataId);
      return out;
    },
  });
}

let slicePatched = false;

interface WasmBackendLike {
  makeOutput(shape: number[], dtype: string): Info;
  typedArrayFromHeap(info: Info): Float32Array | Int32Array | Uint8Array;
}

/**
 * tfjs-backend-wasm's Slice reads its input through readSync, which copies the whole input out of
 * the heap on every call: slicing one step [4, 32, 32] out of a [4, 800, 32] sequence took ~0.28 ms
 * here, for 16 KB of output. This version reads the input in place (a heap view), copying only the
 * output's contiguous runs.
 */
function patchWasmSlice(): void {
  if (slicePatched) return;
  const original = tf.getKernel('Slice', 'wasm');
  if (!original) return;
  slicePatched = true;
  tf.unregisterKernel('Slice', 'wasm');
  tf.registerKernel({
    kernelName: 'Slice',
    backendName: 'wasm',
    kernelFunc: (args: KernelArgs) => {
      const { x } = args.inputs as { x: Info };
      if (x.dtype === 'string') return original.kernelFunc(args);
      const { begin, size } = args.attrs as { begin: number | number[]; size: number | number[] };
      const [start, extent] = tf.slice_util.parseSliceParams(x as tf.Tensor, begin, size);
      const backend = args.backend as unknown as WasmBackendLike;
      const out = backend.makeOutput(extent, x.dtype);
      if (extent.some((e) => e === 0)) return out;
      const src = backend.typedArrayFromHeap(x);
      const dst = backend.typedArrayFromHeap(out);
      copyBox(src, x.shape, start, extent, dst);
      return out;
    },
  });
}

/** Copies the box [start, start + extent) of a row-major array of `shape` into `dst`, run by run. */
function copyBox(
  src: Float32Array | Int32Array | Uint8Array,
  shape: number[],
  start: number[],
  extent: number[],
  dst: Float32Array | Int32Array | Uint8Array,
): void {
  const rank = shape.length;
  const strides = new Array<number>(rank);
  let acc = 1;
  for (let d = rank - 1; d >= 0; d--) {
    strides[d] = acc;
    acc *= shape[d];
  }
  // Merge trailing axes that are taken whole into one longer run.
  let inner = rank - 1;
  let run = extent[inner];
  while (inner > 0 && extent[inner] === shape[inner] && start[inner] === 0) {
    inner--;
    run *= extent[inner];
  }
  const outer = extent.slice(0, inner);
  const counter = new Array<number>(inner).fill(0);
  let base = 0;
  for (let d = 0; d <= inner; d++) base += start[d] * strides[d];
  const runs = outer.reduce((a, b) => a * b, 1);
  let offset = 0;
  for (let r = 0; r < runs; r++) {
    let at = base;
    for (let d = 0; d < inner; d++) at += counter[d] * strides[d];
    dst.set(src.subarray(at, at + run), offset);
    offset += run;
    for (let d = inner - 1; d >= 0; d--) {
      if (++counter[d] < outer[d]) break;
      counter[d] = 0;
    }
  }
}
