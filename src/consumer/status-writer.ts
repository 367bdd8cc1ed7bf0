/**
 * The worker's status writes: one conditional transition per step, and for the outcome a few tries with backoff
 * (a job is acked only once its outcome is recorded; when the store stays down the job is given back instead).
 */
import { StatusStoreError } from "../errors.ts";
import type { JobTransition, StatusStore, TransitionOutcome } from "../status/status-store.ts";
import { backoffDelayMs, type BackoffSchedule } from "./retry-policy.ts";

/** How outcome writes are retried. */
export interface StatusWriteRetry extends BackoffSchedule {
  /** Tries in all, the first included. */
  readonly attempts: number;
}

/** Three tries, 50 ms then 100 ms apart (equal jitter). */
export const DEFAULT_STATUS_WRITE_RETRY: StatusWriteRetry = Object.freeze({
  attempts: 3,
  baseDelayMs: 50,
  maxDelayMs: 1_000,
  jitter: "equal",
});

/** Applies `move`, retrying failures (except a closed store) up to `retry.attempts` times. */
export async function transitionWithRetry(
  store: StatusStore,
  move: JobTransition,
  retry: StatusWriteRetry,
  sleep: (ms: number) => Promise<void>,
): Promise<TransitionOutcome> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await store.transition(move);
    } catch (error) {
      const closed = error instanceof StatusStoreError && error.code === "STORE_CLOSED";
      if (closed || attempt >= retry.attempts) throw error;
      await sleep(backoffDelayMs(attempt, retry));
    }
  }
}
