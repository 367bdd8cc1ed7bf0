/** How long a producer waits before trying a POST again: exponential backoff with jitter, Retry-After honoured. Pure. */

/** The bounds of {@link retryDelayMs}. */
export interface RetrySchedule {
  /** Backoff before the first retry, in ms; it doubles each time. */
  readonly baseDelayMs: number;
  /** No wait is longer, Retry-After included. */
  readonly maxDelayMs: number;
}

/**
 * The wait before retry number `retry` (1 for the first). The backoff is "equal jitter": half of it fixed, half
 * random, so producers refused together do not come back together. A receiver's Retry-After is a floor (plus up
 * to a fifth more, at random, for the same reason); `maxDelayMs` caps everything.
 */
export function retryDelayMs(
  retry: number,
  schedule: RetrySchedule,
  retryAfterMs: number | undefined,
  random: () => number = Math.random,
): number {
  const backoff = Math.min(schedule.maxDelayMs, schedule.baseDelayMs * 2 ** Math.max(0, retry - 1));
  let delay = backoff / 2 + (random() * backoff) / 2;
  if (retryAfterMs !== undefined) delay = Math.max(delay, retryAfterMs * (1 + 0.2 * random()));
  return Math.round(Math.min(schedule.maxDelayMs, delay));
}

/** A Retry-After header in ms from `nowMs`: delay-seconds or an HTTP date; undefined when absent or unreadable. */
export function parseRetryAfter(header: string | undefined, nowMs: number): number | undefined {
  if (header === undefined) return undefined;
  const text = header.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const date = Date.parse(text);
  return Number.isFinite(date) ? Math.max(0, date - nowMs) : undefined;
}
