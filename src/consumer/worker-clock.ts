/** Time as the worker sees it: a clock and timers, injectable so tests can drive them. */

/** A timer handle, as the clock's `setTimeout`/`setInterval` return it. */
export type TimerHandle = object | number;

/** The clock and timers a worker uses. Timers must not keep the process alive on their own (unref'd). */
export interface WorkerClock {
  now(): number;
  setTimeout(callback: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
  setInterval(callback: () => void, ms: number): TimerHandle;
  clearInterval(handle: TimerHandle): void;
}

/** Node's clock and timers, unref'd. */
export const systemClock: WorkerClock = Object.freeze({
  now: Date.now,
  setTimeout: (callback: () => void, ms: number) => setTimeout(callback, ms).unref(),
  clearTimeout: (handle: TimerHandle) => clearTimeout(handle as NodeJS.Timeout),
  setInterval: (callback: () => void, ms: number) => setInterval(callback, ms).unref(),
  clearInterval: (handle: TimerHandle) => clearInterval(handle as NodeJS.Timeout),
});
