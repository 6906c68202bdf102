import type { ClaimBoard, ClaimResult } from './claims.js';
import type { FoldJob } from './jobs.js';

/**
 * Hands a coordinator its next group of folds, claimed in the store first: groups another
 * coordinator holds are set aside and looked at again once the rest is done, until they are
 * stored (by it) or its claim goes stale (it died) and they are taken over here.
 */
export class WorkSource {
  private readonly queue: FoldJob[][];
  /** Folds held by a live coordinator elsewhere, by group. */
  private deferred: FoldJob[][] = [];
  /** Claimed folds handed back (their worker died): run first. */
  private readonly back: FoldJob[][] = [];
  /** Folds another coordinator stored while this one ran. */
  settledElsewhere = 0;

  constructor(
    groups: FoldJob[][],
    private readonly board: ClaimBoard,
    private readonly onSettledElsewhere?: (job: FoldJob) => void,
  ) {
    this.queue = [...groups];
  }

  /** How long to wait before asking again after 'wait'. */
  get pollMs(): number {
    return Math.min(1000, this.board.timeoutMs / 4);
  }

  /** The next claimed group; 'wait' while only folds held elsewhere remain; null when all is done. */
  next(): FoldJob[] | 'wait' | null {
    const handed = this.back.shift();
    if (handed) return handed;
    while (this.queue.length) {
      const mine = this.take(this.queue.shift()!);
      if (mine.length) return mine;
    }
    const waiting = this.deferred;
    this.deferred = [];
    while (waiting.length) {
      const mine = this.take(waiting.shift()!);
      if (mine.length) {
        this.deferred.push(...waiting);
        return mine;
      }
    }
    return this.deferred.length ? 'wait' : null;
  }

  /** Claimed folds that could not be run here yet (their worker died): handed out again first. */
  putBack(jobs: FoldJob[]): void {
    if (jobs.length) this.back.unshift(jobs);
  }

  get hasWork(): boolean {
    return this.back.length > 0 || this.queue.length > 0 || this.deferred.length > 0;
  }

  private take(group: FoldJob[]): FoldJob[] {
    const r: ClaimResult = this.board.claim(group);
    for (const job of r.settled) {
      this.settledElsewhere++;
      this.onSettledElsewhere?.(job);
    }
    if (r.elsewhere.length) this.deferred.push(r.elsewhere);
    return r.mine;
  }
}
