/**
 * The clairvoyant lower bound on billed instance-seconds, computed offline from the trace's jobs with the same
 * boot delay and billing rule as the simulated fleet.
 *
 * Derivation. Let c be the slots per instance, B the boot delay, T_j the job times.
 * 1. Work: an instance is billed at least its lifetime, which is at least B plus the time it served; a slot serves
 *    one job at a time, so Σ lifetimes ≥ N·B + ΣT_j / c, where N is the number of instances ever launched.
 * 2. Instances needed to meet W: take any window of arrivals [a, a + L). Every such job must start within
 *    [a, a + L + W], an interval of length D = L + W. On one slot, consecutive starts are at least one job time
 *    apart, so the jobs of the set a slot starts in that interval sum to at most D + (its last job's time)
 *    ≤ D + maxT (maxT: the longest job of the set). Hence the distinct slots used in the interval are at least
 *    ΣT / (D + maxT), and the distinct instances at least that / c. All of them were launched, so N is at least the
 *    largest such count over all windows (windows of 1, 2, 4, … buckets are tried; any subset keeps the bound valid),
 *    less the instances already running at the start (they paid no boot in the simulation).
 * 3. Billing: each instance pays at least 60 s, so the bound is also at least 60·max(N, instances at the start).
 * Bound = max(ΣT_j / c + B·N_boot, 60·max(N, N_initial)), N_boot = N − N_initial. Step 1 with N = 1 bounds every policy that serves all jobs; the
 * refinement of step 2 bounds every policy that starts every job within W (capped at the fleet's maximum size: a
 * policy cannot launch more at once). A policy that lets jobs wait longer than W may cost less than this bound.
 */

/** The lower bound and its parts. */
export interface LowerBound {
  /** The bound on billed instance-seconds. */
  readonly instanceSeconds: number;
  /** ΣT / c in instance-seconds. */
  readonly workInstanceSeconds: number;
  /** The fewest instances any policy meeting W must have launched or held (N of the derivation). */
  readonly instancesNeeded: number;
}

/** Options of {@link LowerBoundAccumulator}. */
export interface LowerBoundSettings {
  readonly targetWaitMs: number;
  readonly bootDelayMs: number;
  readonly concurrencyPerInstance: number;
  readonly maxInstances: number;
  readonly initialInstances: number;
}

/** Collects the trace's jobs in arrival buckets as they are generated; `result()` computes the bound. */
export class LowerBoundAccumulator {
  private readonly settings: LowerBoundSettings;
  private readonly bucketMs: number;
  private sums = new Float64Array(1024);
  private maxima = new Float64Array(1024);
  private buckets = 0;
  private totalServiceMs = 0;
  private jobs = 0;

  constructor(settings: LowerBoundSettings) {
    this.settings = settings;
    // Finer buckets tighten windows shorter than W; a quarter of W keeps 14 days under ~200 k buckets at W = 30 s.
    this.bucketMs = Math.max(1000, settings.targetWaitMs / 4);
  }

  /** Adds one job. */
  add(arrivalMs: number, serviceMs: number): void {
    const bucket = Math.floor(arrivalMs / this.bucketMs);
    while (bucket >= this.sums.length) this.grow();
    this.sums[bucket] = this.sums[bucket]! + serviceMs;
    if (serviceMs > this.maxima[bucket]!) this.maxima[bucket] = serviceMs;
    if (bucket + 1 > this.buckets) this.buckets = bucket + 1;
    this.totalServiceMs += serviceMs;
    this.jobs += 1;
  }

  /** The bound for the jobs added so far. */
  result(): LowerBound {
    const { concurrencyPerInstance: slotsPerInstance, bootDelayMs, maxInstances, initialInstances } = this.settings;
    const workInstanceSeconds = this.totalServiceMs / 1000 / slotsPerInstance;
    if (this.jobs === 0) return { instanceSeconds: 0, workInstanceSeconds: 0, instancesNeeded: 0 };
    const slots = this.slotsNeeded();
    const instancesNeeded = Math.min(maxInstances, Math.max(1, Math.ceil(slots / slotsPerInstance - 1e-9)));
    const booted = Math.max(instancesNeeded - initialInstances, 0);
    // Every instance that existed, the initial ones included, is billed at least 60 s.
    const minimumBilled = 60 * Math.max(instancesNeeded, initialInstances);
    const instanceSeconds = Math.max(workInstanceSeconds + (booted * bootDelayMs) / 1000, minimumBilled);
    return { instanceSeconds, workInstanceSeconds, instancesNeeded };
  }

  /** max over windows of ΣT / (D + maxT), with windows of 2^k buckets. */
  private slotsNeeded(): number {
    const count = this.buckets;
    const prefix = new Float64Array(count + 1);
    for (let i = 0; i < count; i += 1) prefix[i + 1] = prefix[i]! + this.sums[i]!;
    let maxima = this.maxima.slice(0, count);
    let best = 0;
    for (let width = 1; width <= count; width *= 2) {
      const spanMs = width * this.bucketMs + this.settings.targetWaitMs;
      for (let start = 0; start + width <= count; start += 1) {
        const work = prefix[start + width]! - prefix[start]!;
        if (work <= 0) continue;
        const slots = work / (spanMs + maxima[start]!);
        if (slots > best) best = slots;
      }
      // Maxima over windows twice as wide, for the next level.
      const wider = new Float64Array(count);
      for (let start = 0; start + 2 * width <= count; start += 1)
        wider[start] = Math.max(maxima[start]!, maxima[start + width]!);
      maxima = wider;
    }
    return best;
  }

  private grow(): void {
    const size = this.sums.length * 2;
    const sums = new Float64Array(size);
    sums.set(this.sums);
    const maxima = new Float64Array(size);
    maxima.set(this.maxima);
    this.sums = sums;
    this.maxima = maxima;
  }
}
