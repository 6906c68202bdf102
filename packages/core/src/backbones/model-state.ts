import type { Variable } from '../tf.js';
import { countParameters, restoreVariables, snapshotVariables } from './state.js';

/**
 * The bookkeeping every backbone shares: snapshot/restore over all of its state (weights and
 * running statistics), parameter counts over the trainable part.
 */
export abstract class ModelState {
  abstract get trainableVariables(): Variable[];
  /** Everything a snapshot must hold, trainable or not. */
  protected abstract get stateVariables(): Variable[];

  snapshot(): Float32Array[] {
    return snapshotVariables(this.stateVariables);
  }

  restore(state: Float32Array[]): void {
    restoreVariables(this.stateVariables, state);
  }

  parameterCount(): number {
    return countParameters(this.trainableVariables);
  }

  dispose(): void {
    this.disposeExtra();
    for (const v of this.stateVariables) v.dispose();
  }

  /** Tensors other than the state variables (constants, pending statistics). */
  protected disposeExtra(): void {}
}
