// Loading TensorFlow.js graph models (the exported students of `cmcrd export`): the converter's
// loader, from the union package that tf.ts already loads.
export { type GraphModel, loadGraphModel } from '@tensorflow/tfjs';
