import type { WindowTable } from './table.js';

export interface ImportOptions {
  /** SEED only: the folder of eye-movement files in our documented layout (see docs/datasets.md). */
  eye?: string;
}

export interface Imported {
  table: WindowTable;
  /** Subjects that have eye-movement data. */
  emSubjects: number[];
  /** Per subject, the file each session came from, in session order. */
  sessions: Record<string, string[]>;
}

/** (done, total, current file): for a progress bar. */
export type ImportProgress = (done: number, total: number, file: string) => void;

/** Reads one official release into windows; throws an ImportError naming the file and variable. */
export type Importer = (root: string, options: ImportOptions, progress?: ImportProgress) => Imported;
