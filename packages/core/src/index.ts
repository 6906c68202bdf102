export { tf } from './tf.js';
export { type GraphModel, loadGraphModel } from './graph-model.js';
export type { Scalar, Tensor, Tensor1D, Tensor2D, Variable } from './tf.js';
export {
  BACKEND_NAMES,
  BackendError,
  type BackendName,
  type BackendStatus,
  DEVICE_BACKENDS,
  checkBackendHealth,
  currentAdapter,
  currentBackend,
  describeBackends,
  explainFailure,
  onDeviceBackend,
  recoverBackend,
  requireBackend,
  selectBackend,
} from './backend.js';
export { type AdapterDescription, DeviceLostError, GpuError, diagnoseNoAdapter, loseDeviceForTesting } from './webgpu.js';
export { type Placement, forcePlacement, trainingPlacement } from './placement.js';
export { type DeviceNceBatch, type DeviceNormalisationConstant, nceSideOnDevice, unimodalSupervisionOnDevice } from './contrast/nce-device.js';
export { createRandom, type Random } from './random.js';
export type {
  Backbone,
  BackboneFactory,
  BackboneOptions,
  BackboneOutput,
  Modality,
} from './backbones/types.js';
export { UnknownBackboneError, getBackbone, listBackbones, registerBackbone } from './backbones/registry.js';
export { newVariable, uniformInit } from './backbones/init.js';
export { BIHDM_STREAMS, DIRECTIONS, LOCAL_STREAM_ORDER } from './backbones/bihdm.js';
export { EEG_BANDS, EEG_ELECTRODES } from './backbones/input-layout.js';
export { stackedTanhRnn } from './backbones/tanh-rnn.js';
export {
  type DistillBatch,
  type Distiller,
  type DistillerContext,
  type DistillerPlugin,
  type OptionsContext,
  OptionsError,
  PluginContractError,
  type TeacherRequirements,
  UnknownMethodError,
  checkLossShape,
  checkPlugin,
  getDistiller,
  hasDistiller,
  listDistillers,
  parseDistillerOptions,
  registerDistiller,
  zodIssueKey,
} from './distiller.js';
export { crossEntropy } from './losses/cross-entropy.js';
export { confidenceWeights, entropyWeights, rowEntropy } from './losses/entropy-weights.js';
export { MCC_TEMPERATURE, mccLoss } from './losses/mcc.js';
export { gateRowGradients, stopGradient } from './losses/gradient-routing.js';
export { MemoryBankContrast, type MemoryBankContrastOptions } from './contrast/memory-bank-contrast.js';
export { NegativeSampler } from './contrast/negatives.js';
export { NCE_EPS, type NceBatch, type NormalisationConstant, nceSideLoss } from './contrast/nce.js';
export { type UnimodalSupervision, unimodalSupervision, unimodalSupervisionOf } from './contrast/supervision.js';
export { type CmcrdOptions, cmcrdPlugin } from './distillers/cmcrd.js';
export { AdamW, FlatOptimizer, SgdMomentum } from './optim/flat-optimizer.js';
export { warmupCosine } from './optim/schedule.js';
export { type ClassificationMetrics, classificationMetrics, confusionMatrix } from './metrics.js';
export { type LabelledSet, checkLabelledSet, gatherRows, oneHot } from './train/data.js';
export { type Outputs, inferAll, inferAllAsync, predict, predictAsync } from './train/evaluate.js';
export {
  type BatchInput,
  type BatchLoss,
  DEVICE_SYNC_STEPS,
  EPOCH_SELECTIONS,
  type EpochRecord,
  type EpochSelection,
  TrainingDivergedError,
  runEpochs,
  stepsPerEpochOf,
} from './train/loop.js';
export {
  DEFAULT_TEACHER_CONFIG,
  type TeacherConfig,
  type TeacherTraining,
  type TrainedModel,
  trainTeacher,
} from './train/teacher.js';
export {
  DEFAULT_STUDENT_CONFIG,
  DistillerFailure,
  type StudentConfig,
  type StudentObjective,
  type StudentTraining,
  type TeacherForStudent,
  buildStudentObjective,
  trainStudent,
} from './train/student.js';
export {
  type PluginCheckOptions,
  type PluginCheckReport,
  type PluginCheckRow,
  ROW_CHECKS,
  checkDistillerPlugin,
} from './plugin-check.js';

