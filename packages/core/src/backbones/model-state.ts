import type { Variable } from '../tf.js';
import { countParameters, restoreVariables, snapshotVariables, snapshotVariablesAsync } from './state.js';

/**
 * The bookkeeping every backbone shares: snapshot/restore over all of its state (weights and
 * running statistics), parameter counts over the trainable part. Disposal stays with each
 * backbone, which may hold more than variables (constants, pending batch statistics).
 */
export abstract class ModelState {
  abstract get trainableVariables(): Variable[];
  /** Everything a snapshot must hold, trainable or not. */
  protected abstract get stateVariables(): Variable[];

  snapshot(): Float32Array[] {
    return snapshotVariables(this.stateVariables);
  }

  /** snapshot() without synchronous reads, for backends that have none (webgpu in Node). */
  snapshotAsync(): Promise<Float32Array[]> {
    return snapshotVariablesAsync(this.stateVariables);
  }

  restore(state: Float32Array[]): void {
    restoreVariables(this.stateVariables, state);
  }

  parameterCount(): number {
    return countParameters(this.trainableVariables);
  }
}
