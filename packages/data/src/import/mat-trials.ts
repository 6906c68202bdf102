import { EEG_BANDS, EEG_CHANNELS, EEG_DIM } from '../constants.js';
import { ImportError } from './import-error.js';
import { type MatArray, MatFileError, readMat } from './mat5.js';
import { readBytes } from './files.js';
import { checkFinite } from './table.js';

/** The wanted variables of a MAT file; reader errors become import errors naming the file. */
export function readMatFile(path: string, want: (name: string) => boolean): Map<string, MatArray> {
  const bytes = readBytes(path);
  try {
    return readMat(bytes, path, want);
  } catch (e) {
    if (e instanceof MatFileError) throw new ImportError(e.message.replace(`${path}: `, ''), path, e.variable);
    throw e;
  }
}

function variable(vars: Map<string, MatArray>, name: string, file: string): MatArray {
  const v = vars.get(name);
  if (!v) throw new ImportError('is missing', file, name);
  return v;
}

const shapeText = (dims: number[]) => dims.join(' × ');

/**
 * One trial's EEG from a `de_LDS<t>` variable, 62 × windows × 5 (MATLAB, column-major), as
 * windows × 310 row-major with column channel·5 + band.
 */
export function eegTrial(vars: Map<string, MatArray>, name: string, file: string): Float32Array {
  const v = variable(vars, name, file);
  const [c, w, b] = v.dims;
  if (v.dims.length !== 3 || c !== EEG_CHANNELS || b !== EEG_BANDS || w < 1) {
    throw new ImportError(`has shape ${shapeText(v.dims)}, expected ${EEG_CHANNELS} × windows × ${EEG_BANDS}`, file, name);
  }
  checkFinite(v.values, file, name, (i) => {
    const ch = i % c;
    const win = Math.floor(i / c) % w;
    return `(${ch + 1}, ${win + 1}, ${Math.floor(i / (c * w)) + 1})`; // MATLAB's 1-based subscripts
  });
  const out = new Float32Array(w * EEG_DIM);
  for (let band = 0; band < b; band++) {
    for (let win = 0; win < w; win++) {
      const src = c * win + c * w * band;
      const dst = win * EEG_DIM + band;
      for (let ch = 0; ch < c; ch++) out[dst + ch * EEG_BANDS] = v.values[src + ch];
    }
  }
  return out;
}

/** One trial's eye movements from an `eye_<t>` variable, features × windows, as windows × features. */
export function emTrial(vars: Map<string, MatArray>, name: string, file: string, features: number, windows: number, eegFile: string): Float32Array {
  const v = variable(vars, name, file);
  const [f, w] = v.dims;
  if (v.dims.length !== 2 || f !== features) {
    throw new ImportError(`has shape ${shapeText(v.dims)}, expected ${features} × windows`, file, name);
  }
  if (w !== windows) {
    throw new ImportError(`has ${w} windows but the EEG of this trial in ${eegFile} has ${windows}`, file, name);
  }
  checkFinite(v.values, file, name, (i) => `(${(i % f) + 1}, ${Math.floor(i / f) + 1})`);
  // Column-major features × windows is already windows × features row-major.
  return Float32Array.from(v.values);
}
