import { type DistillBatch, type DistillerPlugin, MemoryBankContrast, type Scalar, tf } from '@cmcrd/core';
import { z } from 'zod';
import { requireTaps, teacherConstant } from './common.js';

const options = z
  .object({
    /** Reference weight of the loss in L_s = CE + w·L. */
    weight: z.number().min(0).default(0.02),
    /** Embedding dimension of both projections and memory banks. */
    dim: z.number().int().positive().max(4096).default(128),
    /** τ of the scores exp(⟨bank, e⟩/τ). */
    temperature: z.number().positive().default(0.07),
    /** Bank update bank[i] = l2norm(m·bank[i] + (1 − m)·e_i); CRD's m. */
    momentum: z.number().min(0).max(1).default(0.5),
    /** K negatives per sample; by default the dataset's within/cross-subject K (`defaults` below). */
    negatives: z.number().int().positive().max(1_000_000).default(1200),
  })
  .strict();

export type CrdOptions = z.infer<typeof options>;

/**
 * CRD (Tian et al. 2020): the memory-bank NCE of @cmcrd/core's MemoryBankContrast with CMCRD's
 * unimodal supervision and entropy weighting both off (DESIGN.md §2–3): linear projections of
 * the last taps to l2-normalised embeddings, each scored against the other side's bank with K
 * other-class negatives; the banks move after each step with momentum m.
 */
export const crdPlugin: DistillerPlugin<CrdOptions> = {
  name: 'crd',
  displayName: 'CRD',
  color: '#9c755f',
  description: 'Contrastive representation distillation: memory-bank NCE between projected embeddings',
  options,
  // The paper's K for the run's dataset and protocol, unless the run gives one.
  defaults: (ctx) => ({ negatives: ctx.negatives }),
  create(ctx, o) {
    requireTaps(ctx.student.featureDims, 1, 'crd', 'student');
    requireTaps(ctx.teacher.featureDims, 1, 'crd', 'teacher');
    const contrast = new MemoryBankContrast(ctx, {
      dim: o.dim,
      temperature: o.temperature,
      momentum: o.momentum,
      negatives: o.negatives,
      us: false,
      iew: false,
    });
    return {
      variables: contrast.variables,
      loss(batch) {
        // The contrast reads the teacher's last tap only; it enters as a constant.
        const t = batch.teacher.features;
        const constantTeacher: DistillBatch = {
          ...batch,
          teacher: {
            logits: batch.teacher.logits,
            features: [...t.slice(0, -1), teacherConstant(t[t.length - 1])],
          },
        };
        return tf.mul(contrast.loss(constantTeacher), o.weight) as Scalar;
      },
      afterStep: () => contrast.afterStep(),
      dispose: () => contrast.dispose(),
    };
  },
};

export default crdPlugin;
