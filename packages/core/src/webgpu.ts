import { existsSync, readdirSync } from 'node:fs';
import { tf } from './tf.js';

/** What the GPU adapter says about itself, for `cmcrd list` and the fold records' notes. */
export interface AdapterDescription {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  /** lavapipe, SwiftShader and other CPU implementations of the API. */
  software: boolean;
}

export type WebgpuProbe =
  | { ok: true; adapter: AdapterDescription }
  | { ok: false; reason: string };

/** Not a UserError: the device failed, not the user's input; the fold is retried on a fresh device. */
export class DeviceLostError extends Error {
  override name = 'DeviceLostError';
}

interface AdapterLike {
  info: { vendor?: string; architecture?: string; device?: string; description?: string; isFallbackAdapter?: boolean };
  features: Set<string>;
  limits: Record<string, number>;
  requestDevice(d: unknown): Promise<DeviceLike>;
}
interface DeviceLike {
  lost: Promise<{ reason: string; message: string }>;
  destroy(): void;
  onuncapturederror: ((ev: { error?: { message?: string } }) => void) | null;
}
interface GpuLike {
  requestAdapter(o?: unknown): Promise<AdapterLike | null>;
}

let gpu: GpuLike | null = null;
let gpuLoadError: string | null = null;

/** Dawn's Node binding, loaded once; WebGPU's classes become globals, as tfjs-backend-webgpu expects. */
async function loadDawn(): Promise<GpuLike | null> {
  if (gpu || gpuLoadError) return gpu;
  try {
    const { create, globals } = (await import('webgpu')) as { create(o: string[]): GpuLike; globals: object };
    Object.assign(globalThis, globals);
    gpu = create([]);
    // Node 21+ defines a read-only navigator; defineProperty replaces it, keeping what it had.
    const previous = (globalThis as { navigator?: object }).navigator ?? {};
    Object.defineProperty(globalThis, 'navigator', { value: Object.assign(Object.create(previous), { gpu }), configurable: true, writable: true });
  } catch (e) {
    gpuLoadError = `the Dawn binding (npm package 'webgpu') did not load: ${(e as Error).message}`;
  }
  return gpu;
}

const SOFTWARE = /llvmpipe|lavapipe|swiftshader|software|softpipe/i;

function describe(a: AdapterLike): AdapterDescription {
  const i = a.info ?? {};
  const text = [i.vendor, i.architecture, i.device, i.description].join(' ');
  return {
    vendor: i.vendor || 'unknown',
    architecture: i.architecture || 'unknown',
    device: i.device || '',
    description: i.description || '',
    software: i.isFallbackAdapter === true || SOFTWARE.test(text),
  };
}

/**
 * Why no adapter was found, as far as can be told from outside Dawn: the Vulkan loader, an
 * installable client driver, XDG_RUNTIME_DIR. Linux only; elsewhere Dawn uses Metal or D3D12.
 */
export function diagnoseNoAdapter(env: NodeJS.ProcessEnv = process.env, root = ''): string {
  if (process.platform !== 'linux') return 'no WebGPU adapter (Metal or D3D12 GPU) was found';
  const missing: string[] = [];
  const libDirs = [
    ...(env.LD_LIBRARY_PATH ?? '').split(':').filter(Boolean),
    '/usr/lib/x86_64-linux-gnu',
    '/usr/lib/aarch64-linux-gnu',
    '/usr/lib64',
    '/usr/lib',
    '/usr/local/lib',
  ];
  if (!libDirs.some((d) => existsSync(`${root}${d}/libvulkan.so.1`))) {
    missing.push('the Vulkan loader libvulkan.so.1 (Debian: apt-get install libvulkan1)');
  }
  const icdDirs = ['/usr/share/vulkan/icd.d', '/etc/vulkan/icd.d', '/usr/local/share/vulkan/icd.d'];
  const icdFiles = (env.VK_ICD_FILENAMES ?? env.VK_DRIVER_FILES ?? '').split(':').filter(Boolean);
  // VK_ICD_FILENAMES / VK_DRIVER_FILES, when set, replace the search of the standard folders.
  const haveIcd = icdFiles.length
    ? icdFiles.some((f) => existsSync(`${root}${f}`))
    : icdDirs.some((d) => existsSync(`${root}${d}`) && readdirSync(`${root}${d}`).some((f) => f.endsWith('.json')));
  if (!haveIcd) {
    missing.push(
      'a Vulkan driver (an ICD in /usr/share/vulkan/icd.d: the GPU vendor\'s driver, or Mesa\'s lavapipe from Debian bookworm-backports mesa-vulkan-drivers for a software adapter)',
    );
  }
  if (!env.XDG_RUNTIME_DIR) missing.push('XDG_RUNTIME_DIR (set it to a private directory, e.g. /tmp/xdg-runtime)');
  return missing.length
    ? `no WebGPU adapter; missing: ${missing.join('; ')}`
    : 'no WebGPU adapter: the Vulkan loader and a driver are installed but Dawn found no usable device (a driver too old for Dawn? Debian 12\'s Mesa 22.3 is refused; bookworm-backports has 25.x)';
}

/** Looks for an adapter without creating a device. */
export async function probeWebgpu(): Promise<WebgpuProbe> {
  const g = await loadDawn();
  if (!g) return { ok: false, reason: gpuLoadError ?? 'the Dawn binding did not load' };
  let adapter: AdapterLike | null = null;
  try {
    adapter = await g.requestAdapter({ powerPreference: 'high-performance' });
  } catch (e) {
    return { ok: false, reason: `${diagnoseNoAdapter()} (${(e as Error).message})` };
  }
  if (!adapter) return { ok: false, reason: diagnoseNoAdapter() };
  return { ok: true, adapter: describe(adapter) };
}

let lost: { reason: string; message: string } | null = null;
let gpuError: string | null = null;
let device: DeviceLike | null = null;
let adapterInUse: AdapterDescription | null = null;

/** The adapter the webgpu backend runs on, once selected. */
export function webgpuAdapter(): AdapterDescription | null {
  return adapterInUse;
}

/**
 * Registers tfjs's WebGPU backend on the high-performance adapter (our own factory rather than
 * the package's, to watch `device.lost` and to create a fresh device after a loss).
 * A software adapter is used only when `allowSoftware` (the backend named explicitly).
 */
export async function registerWebgpu(allowSoftware: boolean): Promise<WebgpuProbe> {
  const probe = await probeWebgpu();
  if (!probe.ok) return probe;
  if (probe.adapter.software && !allowSoftware) {
    return {
      ok: false,
      reason: `only a software adapter (${probe.adapter.description || probe.adapter.device}); used only when asked for with --backend webgpu`,
    };
  }
  const { WebGPUBackend } = (await import('@tensorflow/tfjs-backend-webgpu')) as unknown as {
    WebGPUBackend: new (device: unknown, info: unknown) => tf.KernelBackend;
  };
  removeRegistered();
  tf.registerBackend('webgpu', async () => {
    const adapter = (await gpu!.requestAdapter({ powerPreference: 'high-performance' }))!;
    const l = adapter.limits;
    const d = await adapter.requestDevice({
      requiredLimits: {
        maxComputeWorkgroupStorageSize: l.maxComputeWorkgroupStorageSize,
        maxComputeWorkgroupsPerDimension: l.maxComputeWorkgroupsPerDimension,
        maxStorageBufferBindingSize: l.maxStorageBufferBindingSize,
        maxBufferSize: l.maxBufferSize,
        maxComputeWorkgroupSizeX: l.maxComputeWorkgroupSizeX,
        maxComputeInvocationsPerWorkgroup: l.maxComputeInvocationsPerWorkgroup,
      },
    });
    device = d;
    lost = null;
    gpuError = null;
    // A validation or out-of-memory error is not thrown where the op ran: the op's result is then
    // garbage. Kept, so that the fold fails at its next check instead of storing it.
    d.onuncapturederror = (ev) => {
      if (device === d && !gpuError) gpuError = ev.error?.message?.split('\n')[0] || 'unknown GPU error';
    };
    d.lost.then((info) => {
      // Only the live device counts: recoverDevice() drops the lost one before disposing it.
      if (device === d) lost = { reason: info.reason, message: info.message };
    });
    return new WebGPUBackend(d, adapter.info);
  }, 0);
  adapterInUse = probe.adapter;
  return probe;
}

/** Drops tfjs's registration of 'webgpu' (the package's own, or ours after a loss). */
function removeRegistered(): void {
  try {
    tf.removeBackend('webgpu');
  } catch {
    // not registered
  }
}

/** Throws DeviceLostError when the webgpu device has been lost since it was created. */
export function checkDevice(): void {
  if (lost) throw new DeviceLostError(`webgpu device lost (${lost.reason}): ${lost.message || 'no message'}`);
  if (gpuError) {
    const message = gpuError;
    // One fold fails with it; the next one starts clean.
    gpuError = null;
    throw new GpuError(`webgpu reported an error, results since are unreliable: ${message}`);
  }
}

/** Not a UserError: a fault reported by the GPU during a fold, which fails that fold only. */
export class GpuError extends Error {
  override name = 'GpuError';
}

/** After a loss: a fresh device for the next fold (the failed fold is retried like any failure). */
export async function recoverDevice(): Promise<boolean> {
  if (!lost) return false;
  const wasActive = tf.getBackend() === 'webgpu';
  // removeBackend disposes the old backend; re-registering gives the next setBackend a new device.
  device = null;
  removeRegistered();
  const again = await registerWebgpu(true);
  if (!again.ok) throw new DeviceLostError(`webgpu device lost and no adapter to recreate it: ${again.reason}`);
  if (wasActive) await tf.setBackend('webgpu');
  await tf.ready();
  return true;
}

/** For tests of the device-lost path: destroys the live device as a driver reset would. */
export function loseDeviceForTesting(): void {
  device?.destroy();
}
