import { z } from 'zod';
import { MemoryBankContrast } from '../contrast/memory-bank-contrast.js';
import type { DistillerPlugin } from '../distiller.js';
import { type Scalar, tf } from '../tf.js';

const options = z
  .object({
    weight: z.number().min(0).default(0.02),
    temperature: z.number().positive().default(0.07),
    dim: z.number().int().positive().max(4096).default(128),
    momentum: z.number().min(0).max(1).default(0.05),
    /** K negatives per sample; by default the dataset's within/cross-subject K (`defaults` below). */
    negatives: z.number().int().positive().max(1_000_000).default(1200),
    mcc: z.boolean().default(true),
    us: z.boolean().default(true),
    iew: z.boolean().default(true),
  })
  .strict();

export type CmcrdOptions = z.infer<typeof options>;

/**
 * CMCRD (Kan et al.): CRD's memory-bank NCE plus unimodal supervision (US) and
 * information-entropy weighting (IEW); `mcc` asks for a teacher trained with minimum class
 * confusion. All 8 combinations of the three switches are valid.
 */
export const cmcrdPlugin: DistillerPlugin<CmcrdOptions> = {
  name: 'cmcrd',
  displayName: 'CMCRD',
  color: '#e15759',
  description: 'Cross-modal contrastive representation distillation (memory-bank NCE + US + IEW)',
  options,
  // The paper's K for the run's dataset and protocol, unless the run gives one.
  defaults: (ctx) => ({ negatives: ctx.negatives }),
  teacher: (o) => ({ mcc: o.mcc }),
  create(ctx, o) {
    const contrast = new MemoryBankContrast(ctx, {
      dim: o.dim,
      temperature: o.temperature,
      momentum: o.momentum,
      negatives: o.negatives,
      us: o.us,
      iew: o.iew,
    });
    return {
      variables: contrast.variables,
      loss: (batch) => tf.mul(contrast.loss(batch), o.weight) as Scalar,
      afterStep: () => contrast.afterStep(),
      dispose: () => contrast.dispose(),
    };
  },
};
