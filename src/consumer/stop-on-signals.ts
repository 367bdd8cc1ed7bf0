/** Stops a worker gracefully on process signals (SIGTERM, SIGINT), for CLIs; exiting stays the caller's decision. */
import process from "node:process";
import type { Worker } from "./worker.ts";

/** Options of {@link stopOnSignals}. */
export interface StopOnSignalsOptions {
  /** @defaultValue ["SIGTERM", "SIGINT"] */
  readonly signals?: readonly NodeJS.Signals[];
  /** @defaultValue the worker's drainTimeoutMs */
  readonly drainTimeoutMs?: number;
  /** Called once the worker has stopped (or failed to), with the signal that stopped it. */
  readonly onStopped?: (signal: NodeJS.Signals, error?: unknown) => void;
}

/** Calls `worker.stop()` on the first of `signals`; returns a function that removes the listeners. */
export function stopOnSignals(worker: Worker, options: StopOnSignalsOptions = {}): () => void {
  const signals = options.signals ?? ["SIGTERM", "SIGINT"];
  const onSignal = (signal: NodeJS.Signals): void => {
    remove();
    worker.stop({ drainTimeoutMs: options.drainTimeoutMs }).then(
      () => options.onStopped?.(signal),
      (error: unknown) => options.onStopped?.(signal, error),
    );
  };
  const remove = (): void => {
    for (const signal of signals) process.off(signal, onSignal);
  };
  for (const signal of signals) process.on(signal, onSignal);
  return remove;
}
