/**
 * What the status store says about recent work, for the policy: how many jobs finished since the previous look and
 * how long the succeeded ones ran. This is how the scaler learns the per-job time T instead of being told it.
 */
import type { JobCounts, StatusStore } from "../status/status-store.ts";

/** Jobs finished since the previous sample and their service times. */
export interface JobActivity {
  readonly completed: number;
  readonly serviceTimesMs: readonly number[];
}

const FINAL_STATES = ["succeeded", "failed", "dead", "cancelled"] as const;

/** Most service-time samples read per look (one page). */
const SAMPLE_LIMIT = 500;

function finishedTotal(counts: JobCounts): number {
  return FINAL_STATES.reduce((sum, state) => sum + counts[state], 0);
}

/** Samples the store's job activity; one instance per scaler, called once per evaluation. */
export class JobActivitySampler {
  private readonly store: StatusStore;
  private readonly filter: { readonly service?: string };
  private previousTotal: number | undefined;
  private previousAt: number | undefined;

  constructor(store: StatusStore, service?: string) {
    this.store = store;
    this.filter = service === undefined ? {} : { service };
  }

  /** Forgets the baseline (a new leader starts counting from its first look). */
  reset(): void {
    this.previousTotal = undefined;
    this.previousAt = undefined;
  }

  /** The activity since the previous call (nothing on the first call, which sets the baseline). */
  async sample(now: number): Promise<JobActivity> {
    const counts = await this.store.counts(this.filter);
    const total = finishedTotal(counts);
    const since = this.previousAt;
    const previous = this.previousTotal;
    this.previousTotal = total;
    this.previousAt = now;
    if (since === undefined || previous === undefined) return { completed: 0, serviceTimesMs: [] };
    const page = await this.store.list({ ...this.filter, state: "succeeded", since, limit: SAMPLE_LIMIT });
    const serviceTimesMs: number[] = [];
    for (const job of page.jobs) {
      if (job.finishedAt === undefined || job.startedAt === undefined || job.finishedAt < since) continue;
      serviceTimesMs.push(Math.max(0, job.finishedAt - job.startedAt));
    }
    // Scrubbing removes finished records, which can make the total shrink; never report negative work.
    return { completed: Math.max(total - previous, serviceTimesMs.length), serviceTimesMs };
  }
}
