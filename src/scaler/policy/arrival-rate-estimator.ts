/**
 * The arrival rate λ of a queue, estimated from what a scaler sees at each evaluation: the change in the number of
 * queued jobs (visible + in flight + delayed) plus the jobs that finished since the previous evaluation. Two
 * exponentially weighted averages are kept: a fast one that follows a spike within a minute and a slow one that
 * filters Poisson noise so steady load does not make the capacity flap.
 */

/** The estimator's memory (plain JSON). */
export interface ArrivalRateMemory {
  /** The time of the previous observation; null before the first. */
  readonly lastAt: number | null;
  /** Queued jobs (visible + in flight + delayed) at the previous observation. */
  readonly lastQueued: number;
  /** Fast average of the arrival rate, jobs per second. */
  readonly fastPerSecond: number;
  /** Slow average of the arrival rate, jobs per second. */
  readonly slowPerSecond: number;
  /** Arrivals counted in the latest interval. */
  readonly lastArrivals: number;
  /** Length of the latest interval in ms (0 before two observations). */
  readonly lastIntervalMs: number;
  /** The rate of the interval before the latest one, jobs per second (a spike must show in both). */
  readonly previousPerSecond: number;
  /** How long the estimator has been observing, ms (caps the warm-up). */
  readonly observedMs: number;
  /**
   * The latest confirmed change of rate: two observations in a row beyond 3 Poisson standard deviations of the slow
   * average on the same side (a burst began or ended), after which the averages restarted from those two intervals.
   * Null before any. Absent in memories of older versions.
   */
  readonly change?: RateChange | null;
}

/** A confirmed change of the arrival rate. */
export interface RateChange {
  readonly direction: "rise" | "drop";
  /** When it was confirmed (the observation's time). */
  readonly at: number;
}

/** Time constants of the two averages. */
export interface ArrivalRateSettings {
  /** @defaultValue 45 s */
  readonly fastTimeConstantMs: number;
  /** @defaultValue 8 min */
  readonly slowTimeConstantMs: number;
}

/** The default time constants. */
export const DEFAULT_ARRIVAL_RATE_SETTINGS: ArrivalRateSettings = {
  fastTimeConstantMs: 45_000,
  slowTimeConstantMs: 480_000,
};

/** The memory before the first observation. */
export function initialArrivalRate(): ArrivalRateMemory {
  return {
    lastAt: null,
    lastQueued: 0,
    fastPerSecond: 0,
    slowPerSecond: 0,
    lastArrivals: 0,
    lastIntervalMs: 0,
    previousPerSecond: 0,
    observedMs: 0,
    change: null,
  };
}

/** One observation: jobs queued now and jobs completed since the previous one. */
export function observeArrivals(
  memory: ArrivalRateMemory,
  now: number,
  queued: number,
  completed: number,
  settings: ArrivalRateSettings = DEFAULT_ARRIVAL_RATE_SETTINGS,
): ArrivalRateMemory {
  if (memory.lastAt === null || now <= memory.lastAt) {
    // The first observation (or a clock that did not move) gives a level, not a rate.
    return { ...memory, lastAt: memory.lastAt === null ? now : memory.lastAt, lastQueued: queued };
  }
  const intervalMs = now - memory.lastAt;
  const arrivals = Math.max(0, queued - memory.lastQueued + completed);
  const seconds = intervalMs / 1000;
  const rate = arrivals / seconds;
  const change = confirmedChange(memory, arrivals, seconds);
  if (change !== null) {
    // Two intervals in a row beyond noise on the same side: the rate changed (a burst began or ended), and
    // everything the averages weighed belongs to the old rate. They restart from the two intervals as if fresh (then
    // warm-up means), so the new rate is followed at once and its estimate tightens as intervals come in, instead of
    // the fast average sliding over a minute and the slow one restarting in steps.
    // The nearer of the two to the old rate: the first may straddle the change, and either may hold a dump.
    const previousRate = memory.lastArrivals / (memory.lastIntervalMs / 1000);
    const restarted = change === "rise" ? Math.min(rate, previousRate) : Math.max(rate, previousRate);
    return {
      lastAt: now,
      lastQueued: queued,
      fastPerSecond: restarted,
      slowPerSecond: restarted,
      lastArrivals: arrivals,
      lastIntervalMs: intervalMs,
      previousPerSecond: previousRate,
      observedMs: memory.lastIntervalMs + intervalMs,
      change: { direction: change, at: now },
    };
  }
  // An interval far above the slow average that follows a normal one may be a one-off dump of jobs: it is already
  // in the backlog, so the averages take it in only up to what noise explains until the next interval confirms a
  // new rate (a dump of 5 000 jobs must not read as a rate of 500/s for minutes).
  const expected = memory.slowPerSecond * seconds;
  const ceiling = (expected + 4 * Math.sqrt(expected) + 3) / seconds;
  const previousRate = memory.lastIntervalMs > 0 ? memory.lastArrivals / (memory.lastIntervalMs / 1000) : 0;
  const confirmed = previousRate > ceiling || memory.observedMs === 0;
  const averaged = confirmed ? rate : Math.min(rate, ceiling);
  // While warming up, the averages are plain means of what was seen so far, so the first minutes are not biased
  // toward the zero the estimator started from.
  const observedMs = memory.observedMs + intervalMs;
  const warmUpWeight = intervalMs / observedMs;
  const fastWeight = Math.max(warmUpWeight, 1 - Math.exp(-intervalMs / settings.fastTimeConstantMs));
  const slowWeight = Math.max(warmUpWeight, 1 - Math.exp(-intervalMs / settings.slowTimeConstantMs));
  const fast = memory.fastPerSecond + fastWeight * (averaged - memory.fastPerSecond);
  let slow = memory.slowPerSecond + slowWeight * (averaged - memory.slowPerSecond);
  // When the fast average has moved away from the slow one by more than noise, the rate has changed (a burst began
  // or ended): the slow average restarts from the fast one instead of trailing for many minutes, which would hold
  // the fleet at the old size step by small step.
  const fastSeconds = settings.fastTimeConstantMs / 1000;
  const fastExpected = slow * fastSeconds;
  // A drop needs no floor for tiny rates: a count cannot fall below zero, and below 9 expected jobs three standard
  // deviations already exceed what is expected, so a drop to nothing is seen as soon as it is certain.
  const deviation = 3 * Math.sqrt(fastExpected);
  if ((fast - slow) * fastSeconds > deviation + 3 || (slow - fast) * fastSeconds > deviation) slow = fast;
  return {
    lastAt: now,
    lastQueued: queued,
    fastPerSecond: fast,
    slowPerSecond: slow,
    lastArrivals: arrivals,
    lastIntervalMs: intervalMs,
    previousPerSecond: previousRate,
    observedMs: Math.min(observedMs, 10 * settings.slowTimeConstantMs),
    change: memory.change ?? null,
  };
}

/** Poisson standard deviations beyond which two intervals in a row are a new rate. */
const CHANGE_DEVIATIONS = 3;

/**
 * Whether this interval and the previous one were both beyond noise of the slow average on the same side: above
 * it by more than 3 Poisson standard deviations plus 3 jobs (a floor for tiny rates, as for a spike), or below it by
 * more than 3 deviations. Each alone happens once in ~700 intervals of a steady load, both together once in ~500 000
 * (about once in two months at a 10 s interval). A one-off dump shows in one interval only. Only once the estimator
 * has seen a few minutes, so the slow average is a level to compare with.
 */
function confirmedChange(memory: ArrivalRateMemory, arrivals: number, seconds: number): "rise" | "drop" | null {
  if (memory.observedMs < 60_000 || !(memory.lastIntervalMs > 0)) return null;
  const slow = memory.slowPerSecond;
  const side = (count: number, intervalSeconds: number): number => {
    const expected = slow * intervalSeconds;
    const deviation = CHANGE_DEVIATIONS * Math.sqrt(expected);
    if (count > expected + deviation + 3) return 1;
    if (count < expected - deviation) return -1;
    return 0;
  };
  const now = side(arrivals, seconds);
  if (now === 0 || side(memory.lastArrivals, memory.lastIntervalMs / 1000) !== now) return null;
  return now > 0 ? "rise" : "drop";
}

/**
 * The rate to plan for: the slow average, unless the fast one, or each of the last two intervals, is above it by
 * more than Poisson noise explains — then the spike is real and is followed at once (and a fast average below the
 * slow one by more than noise is a spike that ended). One noisy interval alone is
 * not enough: a false spike costs a fleet of instances billed for at least a minute, a real one shows in the next
 * interval too (and in the backlog, which the capacity model drains anyway).
 */
export function plannedArrivalRate(
  memory: ArrivalRateMemory,
  settings: ArrivalRateSettings = DEFAULT_ARRIVAL_RATE_SETTINGS,
): number {
  const slow = memory.slowPerSecond;
  if (memory.lastIntervalMs <= 0) return slow;
  const intervalSeconds = memory.lastIntervalMs / 1000;
  const isSpike = (perSecond: number, seconds: number): boolean => {
    const expected = slow * seconds;
    // Three standard deviations of a Poisson count over the window, plus a floor for tiny rates.
    return perSecond * seconds > expected + 3 * Math.sqrt(expected) + 3;
  };
  const lastRate = memory.lastArrivals / intervalSeconds;
  const fastSeconds = settings.fastTimeConstantMs / 1000;
  let planned = slow;
  if (isSpike(memory.fastPerSecond, fastSeconds)) planned = Math.max(planned, memory.fastPerSecond);
  // A drop shows the same way, mirrored: the fast average below the slow one by more than noise (a spike ended).
  const expectedFast = slow * fastSeconds;
  if (memory.fastPerSecond * fastSeconds < expectedFast - 3 * Math.sqrt(expectedFast)) planned = memory.fastPerSecond;
  if (isSpike(lastRate, intervalSeconds) && isSpike(memory.previousPerSecond, intervalSeconds))
    planned = Math.max(planned, Math.min(lastRate, memory.previousPerSecond));
  return planned;
}

/**
 * The standard error of the slow average for Poisson arrivals (jobs/s): an exponential average with time constant
 * τ weighs about 2τ of history, so it has seen about 2τλ arrivals.
 */
export function slowRateStandardError(
  memory: ArrivalRateMemory,
  settings: ArrivalRateSettings = DEFAULT_ARRIVAL_RATE_SETTINGS,
): number {
  const windowSeconds = (2 * Math.max(1, Math.min(settings.slowTimeConstantMs, memory.observedMs))) / 1000;
  return Math.sqrt(Math.max(0, memory.slowPerSecond) / windowSeconds);
}
