/** The delay before a reconnection attempt: exponential, capped, with jitter. Pure. */

/** How {@link reconnectDelayMs} grows. */
export interface BackoffOptions {
  /** Delay before the first retry, in ms. */
  readonly initialDelayMs: number;
  /** No delay is longer than this, jitter included. */
  readonly maxDelayMs: number;
  /** Growth per failed attempt. @defaultValue 2 */
  readonly factor?: number;
  /** Fraction of the delay taken off at random, so many clients do not reconnect in step. @defaultValue 0.2 */
  readonly jitter?: number;
}

/** The delay before retry number `attempt` (1 for the first retry after a failure or a drop). */
export function reconnectDelayMs(attempt: number, options: BackoffOptions, random: () => number = Math.random): number {
  const factor = options.factor ?? 2;
  const jitter = options.jitter ?? 0.2;
  const exponent = Math.max(0, attempt - 1);
  const base = Math.min(options.maxDelayMs, options.initialDelayMs * factor ** exponent);
  return Math.round(base * (1 - jitter * random()));
}
