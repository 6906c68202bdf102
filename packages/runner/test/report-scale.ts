import { CMCRD_DEFAULTS, type FixtureFold, seeded } from './report-store.js';

const ABLATION = [false, true].flatMap((mcc) =>
  [false, true].flatMap((us) => [false, true].map((iew) => ({ mcc, us, iew }))),
);
const DISTILLERS = ['kd', 'fitnet', 'nst', 'sp', 'rkd', 'pkt', 'crd', 'cmcrd'];

/**
 * A store shaped like the paper's sweep run over many seeds: the three releases, both protocols,
 * the three backbones, 15 folds, the unimodal models, fusion, the eight distillers in both
 * directions and CMCRD's ablation on DGCNN: 5,760 folds per seed.
 */
export function* paperShapedFolds(seeds: number): Generator<FixtureFold> {
  const random = seeded(7);
  for (let seed = 1; seed <= seeds; seed++) {
    for (const dataset of ['seed', 'seed-iv', 'seed-v']) {
      for (const protocol of ['within-subject', 'cross-subject']) {
        for (const backbone of ['dnn', 'dgcnn', 'bihdm']) {
          const cells = [
            { method: 'eeg-only', direction: 'none' },
            { method: 'em-only', direction: 'none' },
            { method: 'fusion', direction: 'none' },
            ...['em->eeg', 'eeg->em'].flatMap((direction) =>
              DISTILLERS.map((method) => ({
                method,
                direction,
                options: method === 'cmcrd' ? CMCRD_DEFAULTS : { weight: 1 },
              })),
            ),
            ...(backbone === 'dgcnn'
              ? ABLATION.filter((f) => !(f.mcc && f.us && f.iew)).map((flags) => ({
                  method: 'cmcrd',
                  direction: 'em->eeg',
                  options: { ...CMCRD_DEFAULTS, ...flags },
                }))
              : []),
          ];
          for (const c of cells) {
            for (let s = 1; s <= 15; s++) {
              const foldKey = `${protocol === 'within-subject' ? 'subject' : 'loso'}-${String(s).padStart(2, '0')}`;
              yield {
                dataset,
                protocol,
                backbone,
                foldKey,
                seed,
                ...c,
                accuracy: 0.4 + 0.5 * random(),
                trainMs: 20000 * random(),
                testMs: 50 * random(),
                teacherMs: 8000,
              };
            }
          }
        }
      }
    }
  }
}
