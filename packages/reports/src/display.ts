/**
 * The names a paper prints for the methods. The built-in distillers declare theirs in the plugin
 * contract (`displayName`); this table repeats them (a test keeps the two equal) so that a report is
 * built without loading TensorFlow.js or any plugin. An outside plugin's name is the one its folds
 * were stored with (`folds.display_name`, read by buildReport) or the one it registered when loaded
 * in this process (registerDisplayName); else its id.
 */
const BUILTIN: Record<string, string> = {
  'eeg-only': 'EEG',
  'em-only': 'EM',
  fusion: 'EEG+EM',
  kd: 'KD',
  fitnet: 'FitNet',
  nst: 'NST',
  sp: 'SP',
  rkd: 'RKD',
  pkt: 'PKT',
  crd: 'CRD',
  cmcrd: 'CMCRD',
};

const registered = new Map<string, string>();

export const BUILTIN_DISPLAY_NAMES: Readonly<Record<string, string>> = BUILTIN;

/** Records an outside plugin's display name (the runner calls this when it loads a plugin). */
export function registerDisplayName(method: string, name: string): void {
  registered.set(method, name);
}

export function displayName(method: string): string {
  return registered.get(method) ?? BUILTIN[method] ?? method;
}

/** A row label with its method id replaced by the display name: `cmcrd (mcc=false)` → `CMCRD (mcc=false)`. */
export function displayLabel(method: string, label: string): string {
  return label === method || label.startsWith(`${method} (`)
    ? `${displayName(method)}${label.slice(method.length)}`
    : label;
}
