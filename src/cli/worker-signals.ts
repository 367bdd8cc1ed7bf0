/**
 * How `thrift-queue worker` ends: the first SIGTERM or SIGINT drains the worker (`stopOnSignals`: no new jobs,
 * running ones get the grace period); a second one stops at once — the transport is closed without waiting,
 * which gives unsettled deliveries back to the queue, and the process exits with 128 + the signal's number.
 */
import { constants } from "node:os";
import process from "node:process";
import { stopOnSignals } from "../consumer/stop-on-signals.ts";
import type { Worker } from "../consumer/worker.ts";
import type { Logger } from "../logger.ts";
import type { Transport } from "../transport/transport.ts";

/** How the worker stopped. */
export interface WorkerEnding {
  readonly signal: NodeJS.Signals;
  /** True when a second signal cut the drain short. */
  readonly forced: boolean;
}

const SIGNALS: readonly NodeJS.Signals[] = ["SIGTERM", "SIGINT"];

/** Resolves once the worker stopped after a signal (drained or forced). */
export function untilSignalled(
  worker: Worker,
  transport: Transport,
  drainTimeoutMs: number,
  logger: Logger,
): Promise<WorkerEnding> {
  return new Promise((resolve) => {
    let signalsSeen = 0;
    let ended = false;
    const end = (ending: WorkerEnding): void => {
      if (ended) return;
      ended = true;
      for (const signal of SIGNALS) process.off(signal, count);
      resolve(ending);
    };
    // Registered beside stopOnSignals' own listener, so the first signal is seen by both.
    const count = (signal: NodeJS.Signals): void => {
      signalsSeen += 1;
      if (signalsSeen === 1) {
        logger.info({ signal, drainTimeoutMs }, "stopping: running jobs may finish, no new ones are taken");
        return;
      }
      logger.warn({ signal }, "second signal: stopping now; unfinished jobs go back to the queue");
      void transport.close({ drainTimeoutMs: 0 }).finally(() => end({ signal, forced: true }));
    };
    for (const signal of SIGNALS) process.on(signal, count);
    stopOnSignals(worker, {
      signals: SIGNALS,
      drainTimeoutMs,
      onStopped: (signal, error) => {
        if (error !== undefined) logger.error({ err: error }, "the worker did not stop cleanly");
        end({ signal, forced: false });
      },
    });
  });
}

/** The conventional exit code of a process stopped by `signal`: 128 + its number. */
export function signalExitCode(signal: NodeJS.Signals): number {
  return 128 + constants.signals[signal];
}
