import { z } from 'zod';

const Modality = z.enum(['eeg', 'em']);

/** The stored `tsne` artifact of a fold, with the fold's id. */
export const FoldEmbeddingSchema = z.object({
  fold: z.number().int(),
  points: z.array(z.tuple([z.number(), z.number()])).describe('[x, y] per point, in the order of `indices`'),
  labels: z.array(z.number().int()).describe('true class of each point'),
  predicted: z.array(z.number().int()).describe("the fold's model's prediction for each point"),
  indices: z.array(z.number().int()).describe("rows of the fold's test split (ascending)"),
  perplexity: z.number(),
  iterations: z.number().int(),
  seed: z.number().int().describe('seed of the subsample and of the initial layout (the fold’s training seed)'),
  features: z.string().meta({
    description: 'which feature tap was embedded and its dimension',
    example: 'dnn features[1] of 2 (penultimate), 128-d',
  }),
  ms: z.number().describe('time it took on the machine that ran the fold'),
});
export type FoldEmbedding = z.infer<typeof FoldEmbeddingSchema>;

export const FoldTestWindowsSchema = z.object({
  fold: z.number().int(),
  modality: Modality,
  n: z.number().int(),
  dim: z.number().int(),
  x: z.string().describe('n × dim float32, row-major, little-endian, base64'),
  labels: z.array(z.number().int()),
});
export type FoldTestWindows = z.infer<typeof FoldTestWindowsSchema>;

export const FoldModelInfoSchema = z.object({
  fold: z.number().int(),
  stored: z.boolean(),
  modelId: z.string().optional(),
  backbone: z.string().optional(),
  modality: Modality.optional(),
  normalisation: z.string().optional(),
  backend: z.string().optional().describe('the backend it was trained and tested on'),
  reason: z.string().optional().describe('why there is none'),
});
export type FoldModelInfo = z.infer<typeof FoldModelInfoSchema>;

/**
 * preprocess.json of a fold's exported model (GET /api/folds/{id}/model/preprocess.json): what to
 * do to a window's features before the model sees them.
 */
export const ModelPreprocessSchema = z.object({
  format: z.number().int().describe("the file format's version"),
  modelId: z.string(),
  normalisation: z
    .enum(['train', 'per-subject', 'paper'])
    .describe("how the training inputs were z-scored: 'per-subject' z-scores each recording on itself"),
  mean: z.array(z.number()).nullable().describe("z = (x − mean) / std per feature; null under 'per-subject'"),
  std: z.array(z.number()).nullable(),
  stdFloor: z.number().describe('the floor under a per-recording std, so that a constant feature maps to 0'),
  modality: Modality,
  featureNames: z.array(z.string()),
  classNames: z.array(z.string()),
  input: z.object({ name: z.literal('x'), shape: z.tuple([z.literal(-1), z.number().int()]), dtype: z.literal('float32') }),
  outputs: z.object({ probabilities: z.literal('probabilities'), logits: z.literal('logits') }),
});
export type ModelPreprocess = z.infer<typeof ModelPreprocessSchema>;
