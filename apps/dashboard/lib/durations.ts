/** `2026-11-28 10:00:01` from an ISO time. */
export const when = (iso: string | null): string => (iso ? iso.replace('T', ' ').slice(0, 19) : '—');

/** A duration in the largest units that keep it short: `45 s`, `12 min 5 s`, `3 h 20 min`, `2 d 4 h`. */
export function duration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${s % 60} s`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h} h ${m % 60} min`;
  return `${Math.floor(h / 24)} d ${h % 24} h`;
}
