/** Class names per release, as @cmcrd/data's dataset specs define them (classNames). */
const CLASSES: Record<string, string[]> = {
  seed: ['negative', 'neutral', 'positive'],
  'seed-iv': ['neutral', 'sad', 'fear', 'happy'],
  'seed-v': ['disgust', 'fear', 'sad', 'neutral', 'happy'],
};

export function classNames(dataset: string, count: number): string[] {
  const known = CLASSES[dataset.replace(/^synthetic-/, '').replace(/@.*$/, '')];
  return known && known.length === count ? known : Array.from({ length: count }, (_, k) => `class ${k}`);
}
