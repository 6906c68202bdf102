import { UserError } from '@cmcrd/data/user-error';
import { tf } from './tf.js';
import { patchWasmKernels } from './wasm-kernels.js';
import { type AdapterDescription, DeviceLostError, checkDevice, probeWebgpu, recoverDevice, registerWebgpu, webgpuAdapter } from './webgpu.js';

import { BACKEND_NAMES, type BackendName } from './names.js';

export { BACKEND_NAMES, type BackendName };
/** Backends whose tensors live in device memory: training keeps its state there (no per-step readback). */
export const DEVICE_BACKENDS: readonly BackendName[] = ['tensorflow-gpu', 'webgpu'];

/** A backend that was asked for by name and cannot be had here (not installed, no adapter). */
export class BackendError extends UserError {
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

/** Why the last attempt at each backend failed, for error messages. */
const failures = new Map<BackendName, string>();

async function tryWebgpu(named: boolean): Promise<boolean> {
  const r = await registerWebgpu(named);
  if (!r.ok) {
    failures.set('webgpu', r.reason);
    return false;
  }
  try {
    const ok = await tf.setBackend('webgpu');
    await tf.ready();
    if (!ok) failures.set('webgpu', 'tfjs-backend-webgpu did not initialise on the adapter');
    return ok;
  } catch (e) {
    failures.set('webgpu', `tfjs-backend-webgpu failed on the adapter: ${(e as Error).message}`);
    return false;
  }
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

async function tryBackend(name: BackendName, named: boolean): Promise<boolean> {
  switch (name) {
    case 'tensorflow-gpu':
    case 'tensorflow':
      return tryNative(NATIVE_PACKAGES[name]);
    case 'webgpu':
      return tryWebgpu(named);
    case 'wasm':
      return tryWasm();
    case 'cpu':
      return tryCpu();
  }
}

let selected: BackendName | null = null;

/**
 * Select the tensor backend: the first of tensorflow-gpu → webgpu (hardware adapter) → tensorflow
 * → wasm → cpu that loads, or exactly `forced` (an error naming what is missing if it does not
 * load; a forced webgpu accepts a software adapter). Returns the name recorded with every fold.
 */
export async function selectBackend(forced?: string): Promise<BackendName> {
  if (forced !== undefined) {
    if (!(BACKEND_NAMES as readonly string[]).includes(forced)) {
      throw new BackendError(`unknown backend '${forced}' (known: ${BACKEND_NAMES.join(', ')})`);
    }
    const name = forced as BackendName;
    if (selected === name) return name;
    if (!(await tryBackend(name, true))) {
      const why = failures.get(name) ?? (name.startsWith('tensorflow') ? `npm package ${NATIVE_PACKAGES[name as 'tensorflow']} is not installed or did not load` : 'it did not load');
      throw new BackendError(`backend '${name}' could not be loaded here: ${why}`);
    }
    selected = name;
    return name;
  }
  if (selected) return selected;
  for (const name of BACKEND_NAMES) {
    if (await tryBackend(name, false)) {
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

/** True when the selected backend keeps tensors in device memory (training then avoids readbacks). */
export function onDeviceBackend(): boolean {
  return selected !== null && DEVICE_BACKENDS.includes(selected);
}

/** Fails the running fold if the GPU device was lost (checked once an epoch and at a fold's end). */
export function checkBackendHealth(): void {
  if (selected === 'webgpu') checkDevice();
}

/**
 * The error a fold failed with, explained: after a GPU device loss a read fails with a bare
 * AbortError (or shaders with validation errors); the loss is the cause worth recording.
 */
export function explainFailure(e: unknown): Error {
  const err = e instanceof Error ? e : new Error(String(e));
  if (selected !== 'webgpu' || err instanceof DeviceLostError) return err;
  try {
    checkDevice();
  } catch (lost) {
    return new DeviceLostError(`${(lost as Error).message} (then: ${err.name}: ${err.message || 'no message'})`);
  }
  return err;
}

/**
 * Before a fold: a lost webgpu device is replaced by a fresh one. True when that happened: every
 * tensor made before (cached models) belonged to the lost device and must be dropped.
 */
export async function recoverBackend(): Promise<boolean> {
  return selected === 'webgpu' ? recoverDevice() : false;
}

export interface BackendStatus {
  name: BackendName;
  available: boolean;
  /** Why not, or what it runs on. */
  detail: string;
  adapter?: AdapterDescription;
  /** Chosen by the automatic order (false for a backend usable only when named). */
  automatic: boolean;
}

async function importable(pkg: string): Promise<string | null> {
  try {
    await import(pkg);
    return null;
  } catch (e) {
    const code = (e as { code?: string }).code;
    return code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND'
      ? `npm package ${pkg} is not installed (optional; its install downloads libtensorflow)`
      : `npm package ${pkg} did not load: ${(e as Error).message.split('\n')[0]}`;
  }
}

/**
 * Every backend, available or not and why, without selecting any: for `cmcrd list`. webgpu is
 * probed for an adapter (no device is created); the native builds by importing them.
 */
/** Whether one backend can load here, and why not (probing webgpu starts Dawn, which prints to stderr). */
async function describeBackend(name: BackendName): Promise<BackendStatus> {
  if (name === 'tensorflow-gpu' || name === 'tensorflow') {
    const why = await importable(NATIVE_PACKAGES[name]);
    return { name, available: why === null, detail: why ?? `${NATIVE_PACKAGES[name]}`, automatic: why === null };
  }
  if (name === 'webgpu') {
    const p = await probeWebgpu();
    if (!p.ok) return { name, available: false, detail: p.reason, automatic: false };
    const a = p.adapter;
    const what = `${a.vendor} ${a.architecture}${a.description ? ` (${a.description})` : ''}`;
    return {
      name,
      available: true,
      adapter: a,
      automatic: !a.software,
      detail: a.software ? `software adapter ${what}: used only with --backend webgpu` : `adapter ${what}`,
    };
  }
  if (name === 'wasm') {
    const why = await importable('@tensorflow/tfjs-backend-wasm');
    return { name, available: why === null, detail: why ?? 'WebAssembly (XNNPACK), one thread', automatic: why === null };
  }
  return { name, available: true, detail: 'plain JavaScript', automatic: true };
}

export async function describeBackends(): Promise<BackendStatus[]> {
  const out: BackendStatus[] = [];
  for (const name of BACKEND_NAMES) out.push(await describeBackend(name));
  return out;
}

/** The webgpu adapter in use (null on other backends). */
export function currentAdapter(): AdapterDescription | null {
  return selected === 'webgpu' ? webgpuAdapter() : null;
}

/**
 * Checks that a backend named on the command line can load here, before anything is trained
 * or stored (worker processes load it again for themselves).
 */
export async function requireBackend(name: string): Promise<void> {
  if (!(BACKEND_NAMES as readonly string[]).includes(name)) {
    throw new BackendError(`unknown backend '${name}' (known: ${BACKEND_NAMES.join(', ')})`);
  }
  // Only the named one: a forced wasm run never starts Dawn.
  const status = await describeBackend(name as BackendName);
  if (!status.available) throw new BackendError(`backend '${name}' could not be loaded here: ${status.detail}`);
}
