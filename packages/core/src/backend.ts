import { tf } from './tf.js';
import { patchWasmKernels } from './wasm-kernels.js';

export type BackendName = 'tensorflow-gpu' | 'tensorflow' | 'wasm' | 'cpu';
export const BACKEND_NAMES: readonly BackendName[] = ['tensorflow-gpu', 'tensorflow', 'wasm', 'cpu'];

export class BackendError extends Error {
  override name = 'BackendError';
}

// Optional native bindings: not dependencies of the project (their install downloads libtensorflow),
// used when a user has installed one.
const NATIVE_PACKAGES: Record<'tensorflow-gpu' | 'tensorflow', string> = {
  'tensorflow-gpu': '@tensorflow/tfjs-node-gpu',
  tensorflow: '@tensorflow/tfjs-node',
};

async function tryNative(pkg: string): Promise<boolean> {
  try {
    await import(pkg);
  } catch {
    return false;
  }
  return tf.findBackend('tensorflow') != null && (await tf.setBackend('tensorflow'));
}

async function tryWasm(): Promise<boolean> {
  // The emscripten module rethrows every later uncaught error with its whole minified source
  // attached; we take its process listeners back off so that our own errors stay readable.
  const before = {
    uncaughtException: process.listeners('uncaughtException'),
    unhandledRejection: process.listeners('unhandledRejection'),
  };
  try {
    await import('@tensorflow/tfjs-backend-wasm');
    const ok = await tf.setBackend('wasm');
    await tf.ready();
    if (ok) patchWasmKernels();
    return ok;
  } catch {
    return false;
  } finally {
    for (const l of process.listeners('uncaughtException')) {
      if (!before.uncaughtException.includes(l)) process.removeListener('uncaughtException', l);
    }
    for (const l of process.listeners('unhandledRejection')) {
      if (!before.unhandledRejection.includes(l)) process.removeListener('unhandledRejection', l);
    }
  }
}

async function tryCpu(): Promise<boolean> {
  await import('@tensorflow/tfjs-backend-cpu');
  const ok = await tf.setBackend('cpu');
  await tf.ready();
  return ok;
}

async function tryBackend(name: BackendName): Promise<boolean> {
  switch (name) {
    case 'tensorflow-gpu':
    case 'tensorflow':
      return tryNative(NATIVE_PACKAGES[name]);
    case 'wasm':
      return tryWasm();
    case 'cpu':
      return tryCpu();
  }
}

let selected: BackendName | null = null;

/**
 * Select the tensor backend: the first of tensorflow-gpu → tensorflow → wasm → cpu that loads,
 * or exactly `forced` (an error if it does not load). Returns the name recorded with every fold.
 */
export async function selectBackend(forced?: string): Promise<BackendName> {
  if (forced !== undefined) {
    if (!(BACKEND_NAMES as readonly string[]).includes(forced)) {
      throw new BackendError(`unknown backend '${forced}' (known: ${BACKEND_NAMES.join(', ')})`);
    }
    const name = forced as BackendName;
    if (selected === name) return name;
    if (!(await tryBackend(name))) throw new BackendError(`backend '${name}' could not be loaded here`);
    selected = name;
    return name;
  }
  if (selected) return selected;
  for (const name of BACKEND_NAMES) {
    if (await tryBackend(name)) {
      selected = name;
      return name;
    }
  }
  throw new BackendError('no tensor backend could be loaded');
}

export function currentBackend(): BackendName {
  if (!selected) throw new BackendError('selectBackend() has not been called');
  return selected;
}
