/** The wait inside a receive loop: until new work is signalled, a deadline passes, or the consumer stops. */

/** What {@link waitForWork} waits on. */
export interface WaitForWorkOptions {
  /** Wake at this time (ms since the epoch) at the latest, for a delay or lease that ends then. */
  readonly until: number | undefined;
  /** Longest wait, in ms, whatever `until` says (a poll interval for brokers that cannot signal). */
  readonly maxWaitMs: number;
  /** Aborting ends the wait at once. */
  readonly signal: AbortSignal;
  /** Subscribes to "work may be available"; returns an unsubscribe function. */
  readonly subscribe?: (wake: () => void) => () => void;
  readonly now: () => number;
}

/** Resolves when there may be work; never rejects. */
export function waitForWork(options: WaitForWorkOptions): Promise<void> {
  const { signal } = options;
  if (signal.aborted) return Promise.resolve();
  const untilMs = options.until === undefined ? Infinity : Math.max(0, options.until - options.now());
  const waitMs = Math.min(options.maxWaitMs, untilMs);
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      unsubscribe?.();
      signal.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, waitMs);
    const unsubscribe = options.subscribe?.(done);
    signal.addEventListener("abort", done, { once: true });
  });
}
