/**
 * The per-job service time T, learned from the service times the status store reports for finished jobs (never
 * configured by hand). A running average over about the last `windowSamples` samples, with a time floor so a slow
 * queue (few completions) still follows a drift in T within `driftTimeConstantMs`; the second moment gives the
 * squared coefficient of variation the capacity model uses as its safety margin for heavy-tailed job times.
 */

/** The estimator's memory (plain JSON). */
export interface ServiceTimeMemory {
  /** Samples folded in so far (capped at the window). */
  readonly samples: number;
  /** Mean service time, seconds (0 before the first sample). */
  readonly meanSeconds: number;
  /** Mean of the squared service time, seconds². */
  readonly meanSquareSeconds: number;
  /** When the latest sample batch was folded in; null before the first. */
  readonly lastSampleAt: number | null;
}

/** How fast the estimate forgets. */
export interface ServiceTimeSettings {
  /** @defaultValue 4000 (heavy-tailed job times need many samples for a steady mean) */
  readonly windowSamples: number;
  /** @defaultValue 30 min */
  readonly driftTimeConstantMs: number;
}

/** The default window. */
export const DEFAULT_SERVICE_TIME_SETTINGS: ServiceTimeSettings = {
  windowSamples: 4000,
  driftTimeConstantMs: 1_800_000,
};

/** The largest squared coefficient of variation believed: beyond it, samples are too few to say. */
const MAX_SQUARED_VARIATION = 16;

/** The memory before the first sample. */
export function initialServiceTime(): ServiceTimeMemory {
  return { samples: 0, meanSeconds: 0, meanSquareSeconds: 0, lastSampleAt: null };
}

/** Folds in the service times (ms) of the jobs that finished since the previous evaluation. */
export function observeServiceTimes(
  memory: ServiceTimeMemory,
  now: number,
  serviceTimesMs: readonly number[],
  settings: ServiceTimeSettings = DEFAULT_SERVICE_TIME_SETTINGS,
): ServiceTimeMemory {
  let sum = 0;
  let sumSquares = 0;
  let count = 0;
  for (const ms of serviceTimesMs) {
    if (!Number.isFinite(ms) || ms < 0) continue;
    const seconds = Math.min(ms, 1e10) / 1000;
    sum += seconds;
    sumSquares += seconds * seconds;
    count += 1;
  }
  if (count === 0) return memory;
  const batchMean = sum / count;
  const batchMeanSquare = sumSquares / count;
  if (memory.samples === 0) {
    return {
      samples: Math.min(count, settings.windowSamples),
      meanSeconds: batchMean,
      meanSquareSeconds: batchMeanSquare,
      lastSampleAt: now,
    };
  }
  // Weight of the batch as if its samples were folded one by one into an average over the window…
  const window = Math.max(1, Math.min(settings.windowSamples, memory.samples + count));
  const bySamples = 1 - Math.pow(1 - 1 / window, count);
  // …but never less than the time elapsed asks for, so few completions still follow a drift.
  const elapsedMs = memory.lastSampleAt === null ? 0 : Math.max(0, now - memory.lastSampleAt);
  const byTime = 1 - Math.exp(-elapsedMs / settings.driftTimeConstantMs);
  const weight = Math.min(1, Math.max(bySamples, byTime, count / (memory.samples + count)));
  return {
    samples: Math.min(settings.windowSamples, memory.samples + count),
    meanSeconds: memory.meanSeconds + weight * (batchMean - memory.meanSeconds),
    meanSquareSeconds: memory.meanSquareSeconds + weight * (batchMeanSquare - memory.meanSquareSeconds),
    lastSampleAt: now,
  };
}

/** The squared coefficient of variation of T (0 for constant job times), capped. */
export function squaredVariation(memory: ServiceTimeMemory): number {
  if (memory.samples < 2 || memory.meanSeconds <= 0) return 1;
  const ratio = memory.meanSquareSeconds / (memory.meanSeconds * memory.meanSeconds) - 1;
  return Math.max(0, Math.min(MAX_SQUARED_VARIATION, ratio));
}
