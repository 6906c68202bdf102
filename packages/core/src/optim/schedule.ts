/** Linear warm-up over `warmupSteps`, then cosine decay to zero at `totalSteps`. */
export function warmupCosine(step: number, baseLr: number, warmupSteps: number, totalSteps: number): number {
  if (warmupSteps > 0 && step < warmupSteps) return (baseLr * (step + 1)) / warmupSteps;
  const span = Math.max(1, totalSteps - warmupSteps);
  const progress = Math.min(1, (step - warmupSteps) / span);
  return 0.5 * baseLr * (1 + Math.cos(Math.PI * progress));
}
