/**
 * Waits for a job to reach a final state by reading its status record, with a doubling pause between reads, so a
 * producer can hand a two-way call's return value back to its caller. Workers write the outcome; nothing here
 * writes.
 */
import type { MethodDescriptor } from "../codec/service-descriptor.ts";
import { ConfigError, ThriftQueueError, TimeoutError } from "../errors.ts";
import { isFinal } from "../status/job-state.ts";
import type { JobRecord, StatusStore } from "../status/status-store.ts";
import type { ResultOptions, SuccessOf } from "./call-channel.ts";
import { outcomeOf } from "./job-outcome.ts";

/** The first pause between reads, in ms. */
const DEFAULT_POLL_INTERVAL_MS = 25;
/** The longest pause between reads, in ms. */
const DEFAULT_MAX_POLL_INTERVAL_MS = 1000;

/**
 * Waits for job `jobId` to finish and resolves with the return value of `method` recorded for it, or rejects
 * as the outcome says (see `outcomeOf`); `TimeoutError` `RESULT_TIMEOUT` past `timeoutMs`, the signal's reason
 * when aborted. A job the store does not know yet is waited for (its `queued` write may have failed; the
 * worker creates the record).
 */
export async function awaitJobResult<Result>(
  store: Pick<StatusStore, "get">,
  jobId: string,
  method: MethodDescriptor<unknown, Result>,
  options: ResultOptions = {},
): Promise<SuccessOf<Result>> {
  return outcomeOf(method, await waitForFinalRecord(store, jobId, options));
}

/** Reads the job's record until it is in a final state; rejects on timeout, abort or a store error that lasts. */
export async function waitForFinalRecord(
  store: Pick<StatusStore, "get">,
  jobId: string,
  options: ResultOptions = {},
): Promise<JobRecord> {
  const { timeoutMs, signal } = options;
  let pause = checkedInterval(options.pollIntervalMs, DEFAULT_POLL_INTERVAL_MS, "pollIntervalMs");
  const maxPause = checkedInterval(options.maxPollIntervalMs, DEFAULT_MAX_POLL_INTERVAL_MS, "maxPollIntervalMs");
  if (timeoutMs !== undefined && !(timeoutMs >= 0)) {
    throw new ConfigError("CONFIG_INVALID", `timeoutMs must be ≥ 0, got ${timeoutMs}`);
  }
  const giveUpAt = timeoutMs === undefined ? Number.POSITIVE_INFINITY : Date.now() + timeoutMs;
  for (;;) {
    signal?.throwIfAborted();
    const record = await readRecord(store, jobId);
    if (record !== undefined && isFinal(record.state)) return record;
    const remaining = giveUpAt - Date.now();
    if (remaining <= 0) {
      const where = record === undefined ? "unknown to the status store" : `still ${record.state}`;
      throw new TimeoutError("RESULT_TIMEOUT", `job ${jobId} is ${where} after ${timeoutMs} ms`);
    }
    await sleep(Math.min(pause, remaining), signal);
    pause = Math.min(pause * 2, maxPause);
  }
}

/** One read; a retryable store error (`STORE_UNAVAILABLE`) counts as "not final yet", anything else rejects. */
async function readRecord(store: Pick<StatusStore, "get">, jobId: string): Promise<JobRecord | undefined> {
  try {
    return await store.get(jobId);
  } catch (error) {
    if (error instanceof ThriftQueueError && error.retryable) return undefined;
    throw error;
  }
}

function checkedInterval(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value <= 0) {
    throw new ConfigError("CONFIG_INVALID", `${name} must be a positive number of ms, got ${value}`);
  }
  return value;
}

/** Resolves after `ms`, or rejects with the signal's reason as soon as it aborts. */
function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const onAbort = (): void => {
      clearTimeout(timer);
      // The signal's reason as it is, as fetch() and node:timers reject with it.
      // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
