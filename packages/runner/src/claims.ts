import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { and, eq, inArray } from 'drizzle-orm';
import type { FoldJob } from './jobs.js';
import { schema } from '@cmcrd/store';
import type { Store } from '@cmcrd/store';

const { claims, folds } = schema;

/**
 * How long a claim lives without a heartbeat before another coordinator takes its fold over
 * (default 60 s; `CMCRD_CLAIM_TIMEOUT_MS`). A coordinator renews its claims every quarter of it,
 * and between epochs when it trains in its own process (a fold then holds its event loop).
 */
export function claimTimeoutMs(): number {
  const env = Number(process.env.CMCRD_CLAIM_TIMEOUT_MS);
  return Number.isFinite(env) && env > 0 ? env : 60_000;
}

/** What a claim attempt found for each job. */
export interface ClaimResult {
  /** Claimed by this coordinator now (free, stale, or already ours): train them. */
  mine: FoldJob[];
  /** Claimed by another coordinator that is alive: wait for them. */
  elsewhere: FoldJob[];
  /** Stored as done meanwhile, or settled by the coordinator that held them: nothing to do. */
  settled: FoldJob[];
}

/**
 * The claims of one coordinator: folds it is training, recorded in the store so that several
 * coordinators on one store share the work instead of each training every fold.
 */
export class ClaimBoard {
  readonly owner = `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
  private readonly host = hostname();
  private timer: NodeJS.Timeout | undefined;
  private lastBeat = 0;
  /** When a job was first seen held by another coordinator: a row stored after that is its outcome. */
  private readonly seenElsewhere = new Map<string, string>();

  constructor(
    private readonly store: Store,
    private readonly o: { sweepId?: number; timeoutMs?: number } = {},
  ) {}

  get timeoutMs(): number {
    return this.o.timeoutMs ?? claimTimeoutMs();
  }

  /** Claims every job of `jobs` that is free, stale or ours, in one immediate transaction. */
  claim(jobs: FoldJob[]): ClaimResult {
    const out: ClaimResult = { mine: [], elsewhere: [], settled: [] };
    if (jobs.length === 0) return out;
    const now = Date.now();
    const hashes = jobs.map((j) => j.configHash);
    this.store.db.transaction(
      (tx) => {
        const rows = new Map(
          tx
            .select({ configHash: folds.configHash, status: folds.status, finishedAt: folds.finishedAt })
            .from(folds)
            .where(inArray(folds.configHash, hashes))
            .all()
            .map((r) => [r.configHash, r]),
        );
        const held = new Map(
          tx
            .select()
            .from(claims)
            .where(inArray(claims.configHash, hashes))
            .all()
            .map((c) => [c.configHash, c]),
        );
        for (const job of jobs) {
          const row = rows.get(job.configHash);
          const claim = held.get(job.configHash);
          const seen = this.seenElsewhere.get(job.configHash);
          if (row?.status === 'done' || (seen !== undefined && !claim && row && row.finishedAt >= seen)) {
            out.settled.push(job);
            continue;
          }
          if (claim && claim.owner !== this.owner && claim.heartbeatAt > now - this.timeoutMs && !this.deadHere(claim)) {
            if (seen === undefined) this.seenElsewhere.set(job.configHash, new Date(now).toISOString());
            out.elsewhere.push(job);
            continue;
          }
          const values = {
            configHash: job.configHash,
            owner: this.owner,
            host: this.host,
            pid: process.pid,
            sweepId: this.o.sweepId ?? null,
            claimedAt: now,
            heartbeatAt: now,
          };
          tx.insert(claims).values(values).onConflictDoUpdate({ target: claims.configHash, set: values }).run();
          out.mine.push(job);
        }
      },
      { behavior: 'immediate' },
    );
    if (out.mine.length) this.start();
    return out;
  }

  /** A claim of a coordinator on this machine whose process is gone (kill -9, Ctrl-C): stale at once. */
  private deadHere(claim: { host: string; pid: number }): boolean {
    if (claim.host !== this.host) return false;
    try {
      process.kill(claim.pid, 0);
      return false;
    } catch (e) {
      return (e as NodeJS.ErrnoException).code === 'ESRCH';
    }
  }

  /** The fold is stored (done, or failed for good): its claim goes. */
  release(job: FoldJob): void {
    this.store.db
      .delete(claims)
      .where(and(eq(claims.configHash, job.configHash), eq(claims.owner, this.owner)))
      .run();
  }

  /** Renews this coordinator's claims; at most once a second unless `force`. */
  beat(force = false): void {
    const now = Date.now();
    if (!force && now - this.lastBeat < Math.min(1000, this.timeoutMs / 4)) return;
    this.lastBeat = now;
    this.store.db.update(claims).set({ heartbeatAt: now }).where(eq(claims.owner, this.owner)).run();
  }

  private start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => {
      try {
        this.beat(true);
      } catch {
        // A busy or failing store: the next beat (or the fold's own write) tells.
      }
    }, this.timeoutMs / 4);
    this.timer.unref();
  }

  /** Stops renewing and gives back every claim still held (the folds it did not finish). */
  close(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    try {
      this.store.db.delete(claims).where(eq(claims.owner, this.owner)).run();
    } catch {
      // The store cannot be written (a fault): the claims go stale and are taken over.
    }
  }
}
