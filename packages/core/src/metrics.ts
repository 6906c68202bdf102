export interface ClassificationMetrics {
  accuracy: number;
  /** Mean recall over the classes present in the labels. */
  balancedAccuracy: number;
  /** confusion[true][predicted] counts. */
  confusion: number[][];
  n: number;
}

export function confusionMatrix(
  labels: ArrayLike<number>,
  predictions: ArrayLike<number>,
  numClasses: number,
): number[][] {
  if (labels.length !== predictions.length) {
    throw new Error(`confusionMatrix: ${labels.length} labels but ${predictions.length} predictions`);
  }
  const m = Array.from({ length: numClasses }, () => new Array<number>(numClasses).fill(0));
  for (let i = 0; i < labels.length; i++) {
    const y = labels[i];
    const p = predictions[i];
    if (!(y >= 0 && y < numClasses) || !(p >= 0 && p < numClasses)) {
      throw new Error(`confusionMatrix: label ${y} or prediction ${p} at ${i} outside 0..${numClasses - 1}`);
    }
    m[y][p]++;
  }
  return m;
}

export function classificationMetrics(
  labels: ArrayLike<number>,
  predictions: ArrayLike<number>,
  numClasses: number,
): ClassificationMetrics {
  const confusion = confusionMatrix(labels, predictions, numClasses);
  let correct = 0;
  let recallSum = 0;
  let present = 0;
  for (let c = 0; c < numClasses; c++) {
    const row = confusion[c].reduce((a, b) => a + b, 0);
    correct += confusion[c][c];
    if (row > 0) {
      recallSum += confusion[c][c] / row;
      present++;
    }
  }
  const n = labels.length;
  return {
    accuracy: n > 0 ? correct / n : Number.NaN,
    balancedAccuracy: present > 0 ? recallSum / present : Number.NaN,
    confusion,
    n,
  };
}
