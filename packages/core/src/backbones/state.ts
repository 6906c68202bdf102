import { type Variable, tf } from '../tf.js';

export function snapshotVariables(vars: Variable[]): Float32Array[] {
  return vars.map((v) => Float32Array.from(v.dataSync() as Float32Array));
}

export async function snapshotVariablesAsync(vars: Variable[]): Promise<Float32Array[]> {
  return Promise.all(vars.map(async (v) => Float32Array.from((await v.data()) as Float32Array)));
}

export function restoreVariables(vars: Variable[], state: Float32Array[]): void {
  if (state.length !== vars.length) {
    throw new Error(`snapshot has ${state.length} arrays, the model has ${vars.length} variables`);
  }
  vars.forEach((v, i) => {
    if (state[i].length !== v.size) {
      throw new Error(
        `snapshot array ${i} has ${state[i].length} values, variable ${v.name} needs ${v.size}`,
      );
    }
    const t = tf.tensor(state[i], v.shape);
    v.assign(t);
    t.dispose();
  });
}

export function countParameters(vars: Variable[]): number {
  return vars.reduce((s, v) => s + v.size, 0);
}
