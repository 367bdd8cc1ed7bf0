/**
 * The predictive part: the daily cycle of the arrival rate, learned from history. The day (UTC) is cut into buckets
 * (15 min by default); each bucket keeps an exponentially weighted average, across days, of the rate seen in it.
 * The prediction is a ratio — how much higher the rate usually is at some time in the next `leadMs` than it is now
 * — applied to the rate measured now, so a weekly modulation of the level (quieter weekends) needs no separate
 * model: the shape comes from history, the level from the present.
 */

/** The learned cycle (plain JSON). */
export interface DailyCycleMemory {
  /** Average rate per bucket, jobs per second. */
  readonly profile: readonly number[];
  /** Days folded into each bucket (capped). */
  readonly days: readonly number[];
  /** The bucket being accumulated: its start (Unix ms), or null before the first observation. */
  readonly bucketStart: number | null;
  /** Arrivals and observed ms accumulated in the current bucket. */
  readonly bucketArrivals: number;
  readonly bucketObservedMs: number;
}

/** How the cycle is learned. */
export interface DailyCycleSettings {
  /** @defaultValue 15 min */
  readonly bucketMs: number;
  /** Weight of a new day in a bucket's average. @defaultValue 0.35 */
  readonly dayWeight: number;
  /** Days of history a bucket needs before it predicts. @defaultValue 2 */
  readonly minDays: number;
  /** The largest ratio predicted. @defaultValue 8 */
  readonly maxRatio: number;
}

/** The default settings. */
export const DEFAULT_DAILY_CYCLE_SETTINGS: DailyCycleSettings = {
  bucketMs: 900_000,
  dayWeight: 0.35,
  minDays: 2,
  maxRatio: 8,
};

const DAY_MS = 86_400_000;
const MAX_DAYS_COUNTED = 1000;

function bucketCount(settings: DailyCycleSettings): number {
  return Math.max(1, Math.round(DAY_MS / settings.bucketMs));
}

/** The cycle before any history. */
export function initialDailyCycle(settings: DailyCycleSettings = DEFAULT_DAILY_CYCLE_SETTINGS): DailyCycleMemory {
  const buckets = bucketCount(settings);
  return {
    profile: new Array<number>(buckets).fill(0),
    days: new Array<number>(buckets).fill(0),
    bucketStart: null,
    bucketArrivals: 0,
    bucketObservedMs: 0,
  };
}

function bucketIndex(time: number, settings: DailyCycleSettings): number {
  const buckets = bucketCount(settings);
  const ofDay = ((time % DAY_MS) + DAY_MS) % DAY_MS;
  return Math.min(buckets - 1, Math.floor(ofDay / settings.bucketMs));
}

/** Records `arrivals` seen over the `intervalMs` ending at `now`. */
export function observeDailyCycle(
  memory: DailyCycleMemory,
  now: number,
  arrivals: number,
  intervalMs: number,
  settings: DailyCycleSettings = DEFAULT_DAILY_CYCLE_SETTINGS,
): DailyCycleMemory {
  const start = Math.floor(now / settings.bucketMs) * settings.bucketMs;
  let profile = memory.profile;
  let days = memory.days;
  let arrivalsSoFar = memory.bucketArrivals;
  let observedSoFar = memory.bucketObservedMs;
  if (memory.bucketStart !== start) {
    // A bucket observed for at least half its length is folded into that time of day's average.
    if (memory.bucketStart !== null && observedSoFar >= settings.bucketMs / 2) {
      const index = bucketIndex(memory.bucketStart, settings);
      const rate = arrivalsSoFar / (observedSoFar / 1000);
      const seen = days[index] ?? 0;
      const old = profile[index] ?? 0;
      profile = profile.map((value, i) =>
        i === index ? (seen === 0 ? rate : old + settings.dayWeight * (rate - old)) : value,
      );
      days = days.map((value, i) => (i === index ? Math.min(MAX_DAYS_COUNTED, value + 1) : value));
    }
    arrivalsSoFar = 0;
    observedSoFar = 0;
  }
  const counted = Math.max(0, Math.min(intervalMs, settings.bucketMs));
  return {
    profile,
    days,
    bucketStart: start,
    bucketArrivals: arrivalsSoFar + Math.max(0, arrivals),
    bucketObservedMs: observedSoFar + counted,
  };
}

/**
 * The learned rate in the bucket holding `time`, or null when history is too short. Buckets are not interpolated:
 * a ramp that happens at 08:00 must not already seem to have begun at 07:53.
 */
export function learnedRateAt(
  memory: DailyCycleMemory,
  time: number,
  settings: DailyCycleSettings = DEFAULT_DAILY_CYCLE_SETTINGS,
): number | null {
  const index = bucketIndex(time, settings);
  if ((memory.days[index] ?? 0) < settings.minDays) return null;
  return memory.profile[index] ?? 0;
}

/**
 * How many times higher than now the rate usually gets within the next `leadMs` (≥ 1), or 1 when history is too
 * short to say.
 */
export function predictedRampRatio(
  memory: DailyCycleMemory,
  now: number,
  leadMs: number,
  settings: DailyCycleSettings = DEFAULT_DAILY_CYCLE_SETTINGS,
): number {
  const current = learnedRateAt(memory, now, settings);
  if (current === null) return 1;
  let peak = 0;
  for (const value of memory.profile) peak = Math.max(peak, value);
  if (!(peak > 0)) return 1;
  // A floor under "now" keeps a quiet night from turning a small absolute rise into a huge ratio.
  const base = Math.max(current, 0.05 * peak);
  const steps = Math.max(1, Math.ceil(leadMs / (settings.bucketMs / 2)));
  let ahead = current;
  for (let step = 1; step <= steps; step += 1) {
    const value = learnedRateAt(memory, now + (leadMs * step) / steps, settings);
    if (value !== null) ahead = Math.max(ahead, value);
  }
  return Math.max(1, Math.min(settings.maxRatio, ahead / base));
}
