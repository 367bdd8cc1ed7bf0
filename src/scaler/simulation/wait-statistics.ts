/** Job waits collected without one object per job, summarized into attainment and percentiles once at the end. */

/** Summary of the waits of a run. */
export interface WaitSummary {
  readonly jobs: number;
  /** Jobs whose wait exceeded W. */
  readonly lateJobs: number;
  /** Fraction of jobs with wait ≤ W (1 when there were no jobs). */
  readonly sloAttainment: number;
  readonly p50WaitS: number;
  readonly p95WaitS: number;
  readonly p99WaitS: number;
  readonly maxWaitS: number;
}

/** A growable list of waits in ms. */
export class WaitRecorder {
  private waits = new Float64Array(4096);
  private count = 0;
  private late = 0;
  private readonly targetWaitMs: number;

  constructor(targetWaitMs: number) {
    this.targetWaitMs = targetWaitMs;
  }

  /** Records one job's wait. */
  record(waitMs: number): void {
    if (this.count === this.waits.length) {
      const grown = new Float64Array(this.waits.length * 2);
      grown.set(this.waits);
      this.waits = grown;
    }
    this.waits[this.count++] = waitMs;
    // A hair of tolerance so floating-point sums equal to W count as on time.
    if (waitMs > this.targetWaitMs + 1e-6) this.late += 1;
  }

  /** Attainment and percentiles (nearest-rank). */
  summarize(): WaitSummary {
    const sorted = this.waits.slice(0, this.count).sort();
    const at = (q: number): number =>
      this.count === 0 ? 0 : sorted[Math.min(this.count - 1, Math.max(0, Math.ceil(q * this.count) - 1))]! / 1000;
    return {
      jobs: this.count,
      lateJobs: this.late,
      sloAttainment: this.count === 0 ? 1 : 1 - this.late / this.count,
      p50WaitS: at(0.5),
      p95WaitS: at(0.95),
      p99WaitS: at(0.99),
      maxWaitS: this.count === 0 ? 0 : sorted[this.count - 1]! / 1000,
    };
  }
}
