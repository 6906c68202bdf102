import { onDeviceBackend } from './backend.js';

/**
 * Where training keeps its state between steps (DESIGN.md, docs/backends.md):
 * - 'host': the CPU fast path of wasm and cpu. Optimizer state, memory banks and the NCE terms
 *   live in Float32Arrays; reading a tensor is a memory copy there, and each tensor op costs tens
 *   of microseconds of dispatch, so hand-written loops win.
 * - 'device': GPU backends. Everything stays in device memory; the hot path reads nothing back
 *   (a readback stalls the GPU queue and, on webgpu in Node, cannot even be synchronous).
 * Both implement one contract and are tested against the same references.
 */
export type Placement = 'host' | 'device';

let forced: Placement | null = null;

/** The placement for objects created from now on: fixed per optimizer / distiller at creation. */
export function trainingPlacement(): Placement {
  return forced ?? (onDeviceBackend() ? 'device' : 'host');
}

/** Runs the device path on any backend (tests compare both paths on cpu); null restores the default. */
export function forcePlacement(p: Placement | null): void {
  forced = p;
}
