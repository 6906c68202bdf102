// The names the command line offers (--backend, --backbone), in a module that loads nothing:
// `cmcrd --help` prints them without loading TensorFlow.js (backend.ts and the backbone
// registry take them from here).

export type BackendName = 'tensorflow-gpu' | 'webgpu' | 'tensorflow' | 'wasm' | 'cpu';
/** The automatic order (docs/backends.md): GPUs first, then the native CPU build, wasm, plain JS. */
export const BACKEND_NAMES: readonly BackendName[] = ['tensorflow-gpu', 'webgpu', 'tensorflow', 'wasm', 'cpu'];

/** The built-in backbones, in the registry's order (registry.ts checks its factories against it). */
export const BUILTIN_BACKBONE_NAMES: readonly string[] = ['dnn', 'dgcnn', 'bihdm'];
