/**
 * How long a failed job waits before its next attempt: exponential backoff with jitter, capped. Pure: the random
 * source is injectable, so tests pin every delay.
 */

/** How jitter spreads a backoff: `full` draws from [0, backoff], `equal` from [backoff/2, backoff], `none` not. */
export type JitterMode = "full" | "equal" | "none";

/** Exponential backoff bounds. */
export interface BackoffSchedule {
  /** Backoff after the first failure, in ms; it doubles with each further failure. */
  readonly baseDelayMs: number;
  /** No delay is longer. */
  readonly maxDelayMs: number;
  /** @defaultValue "full" */
  readonly jitter?: JitterMode;
}

/** A worker's retry defaults: how many attempts a job gets and how long it waits between them. */
export interface RetryPolicy extends BackoffSchedule {
  /** Deliveries a job gets before it is dead-lettered (the first one included). */
  readonly maxAttempts: number;
}

/** Five attempts, 1 s doubling to at most 5 min, full jitter. */
export const DEFAULT_RETRY_POLICY: Readonly<Required<RetryPolicy>> = Object.freeze({
  maxAttempts: 5,
  baseDelayMs: 1_000,
  maxDelayMs: 300_000,
  jitter: "full",
});

/**
 * The wait after failure number `failure` (1 for the first): `baseDelayMs · 2^(failure-1)`, capped at `maxDelayMs`,
 * then jittered so that jobs that failed together do not come back together. Rounded to whole ms.
 */
export function backoffDelayMs(failure: number, schedule: BackoffSchedule, random: () => number = Math.random): number {
  const exponent = Math.max(0, Math.floor(failure) - 1);
  // 2 ** exponent overflows to Infinity for huge exponents, which the cap absorbs.
  const backoff = Math.min(schedule.maxDelayMs, schedule.baseDelayMs * 2 ** exponent);
  switch (schedule.jitter ?? "full") {
    case "none":
      return Math.round(backoff);
    case "equal":
      return Math.round(backoff / 2 + (random() * backoff) / 2);
    case "full":
      return Math.round(random() * backoff);
  }
}
