// One import point for TensorFlow.js. The union package is loaded only for its side effect:
// tfjs-core's Node build ships without gradient definitions, the union build registers them.
import '@tensorflow/tfjs';
import * as tf from '@tensorflow/tfjs-core';

export { tf };
export type { Scalar, Tensor, Tensor1D, Tensor2D, Tensor3D, Variable } from '@tensorflow/tfjs-core';
