/**
 * The 62-channel SEED montage (ESB Neuroscan 10-20 extended), in the order of the released features,
 * with approximate flat scalp coordinates: x from left (-1) to right (+1), y from back (-1) to front (+1).
 * Only used to give the synthetic EEG loadings a spatially smooth structure.
 */
const ROWS: readonly { y: number; names: readonly string[]; xs: readonly number[] }[] = [
  { y: 4, names: ['FP1', 'FPZ', 'FP2'], xs: [-1, 0, 1] },
  { y: 3.5, names: ['AF3', 'AF4'], xs: [-1.5, 1.5] },
  {
    y: 3,
    names: ['F7', 'F5', 'F3', 'F1', 'FZ', 'F2', 'F4', 'F6', 'F8'],
    xs: [-4, -3, -2, -1, 0, 1, 2, 3, 4],
  },
  {
    y: 2,
    names: ['FT7', 'FC5', 'FC3', 'FC1', 'FCZ', 'FC2', 'FC4', 'FC6', 'FT8'],
    xs: [-4, -3, -2, -1, 0, 1, 2, 3, 4],
  },
  {
    y: 1,
    names: ['T7', 'C5', 'C3', 'C1', 'CZ', 'C2', 'C4', 'C6', 'T8'],
    xs: [-4, -3, -2, -1, 0, 1, 2, 3, 4],
  },
  {
    y: 0,
    names: ['TP7', 'CP5', 'CP3', 'CP1', 'CPZ', 'CP2', 'CP4', 'CP6', 'TP8'],
    xs: [-4, -3, -2, -1, 0, 1, 2, 3, 4],
  },
  {
    y: -1,
    names: ['P7', 'P5', 'P3', 'P1', 'PZ', 'P2', 'P4', 'P6', 'P8'],
    xs: [-4, -3, -2, -1, 0, 1, 2, 3, 4],
  },
  { y: -2, names: ['PO7', 'PO5', 'PO3', 'POZ', 'PO4', 'PO6', 'PO8'], xs: [-3, -2, -1, 0, 1, 2, 3] },
  { y: -3, names: ['CB1', 'O1', 'OZ', 'O2', 'CB2'], xs: [-2.5, -1, 0, 1, 2.5] },
];

export interface Electrode {
  name: string;
  x: number;
  y: number;
}

export const MONTAGE: readonly Electrode[] = Object.freeze(
  ROWS.flatMap((r) => r.names.map((name, i) => Object.freeze({ name, x: r.xs[i] / 4, y: r.y / 4 }))),
);

export const EEG_BAND_NAMES: readonly string[] = Object.freeze(['delta', 'theta', 'alpha', 'beta', 'gamma']);
