/**
 * Running a handler: its context, its lease kept alive meanwhile, and a bound by the method's timeout and the
 * job's deadline when there are any (the signal is aborted and the wait ends with a TimeoutError; the handler's
 * own promise is left to settle on its own). A handler that throws or rejects is an outcome, never an exception.
 */
import { TimeoutError } from "../errors.ts";
import type { Route } from "./handler-registry.ts";
import { WorkerJobContext } from "./job-context.ts";
import type { JobRun } from "./job-run.ts";
import type { JobRunnerOptions } from "./job-runner-options.ts";
import type { JobSettler } from "./job-settlement.ts";

/** What a handler's run came to. */
export type Outcome = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly error: unknown };

/** Runs the handler of `route` with `args`, bounded by its timeout and the deadline when there are any. */
export async function executeHandler(
  run: JobRun,
  route: Route,
  args: unknown,
  options: Pick<JobRunnerOptions, "clock" | "leaseExtender" | "events">,
  settler: Pick<JobSettler, "eventBase">,
): Promise<Outcome> {
  const { clock, leaseExtender, events } = options;
  run.startedAt = clock.now();
  if (leaseExtender) leaseExtender.add(run);
  if (events.listens("job:started")) events.emit("job:started", settler.eventBase(run));
  try {
    const returned = route.invoke.call(route.target, args, new WorkerJobContext(run));
    if (!isThenable(returned)) return { ok: true, value: returned };
    if (route.settings.timeoutMs === undefined && run.deadline === undefined) {
      return await returned.then(succeeded, failed);
    }
    return await bounded(run, route, returned, options.clock);
  } catch (error) {
    return { ok: false, error };
  } finally {
    if (leaseExtender) leaseExtender.remove(run);
  }
}

function bounded(
  run: JobRun,
  route: Route,
  handler: PromiseLike<unknown>,
  clock: JobRunnerOptions["clock"],
): Promise<Outcome> {
  const timeoutMs = route.settings.timeoutMs ?? Number.POSITIVE_INFINITY;
  const untilDeadline = run.deadline === undefined ? Number.POSITIVE_INFINITY : run.deadline - clock.now();
  const error =
    timeoutMs <= untilDeadline
      ? new TimeoutError("HANDLER_TIMEOUT", `the handler ran longer than ${timeoutMs} ms`)
      : new TimeoutError("DEADLINE_EXCEEDED", "the job's deadline passed while its handler ran");
  return new Promise<Outcome>((resolve) => {
    let done = false;
    const finish = (outcome: Outcome): void => {
      if (done) return;
      done = true;
      run.clearTimer();
      resolve(outcome);
    };
    handler.then(
      (value) => finish({ ok: true, value }),
      (reason: unknown) => finish({ ok: false, error: reason }),
    );
    run.interrupt = (reason) => finish({ ok: false, error: reason });
    run.timer = clock.setTimeout(
      () => {
        run.abort(error);
        finish({ ok: false, error });
      },
      Math.max(0, Math.min(timeoutMs, untilDeadline)),
    );
  });
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof value === "object" && value !== null && typeof (value as { then?: unknown }).then === "function";
}

function succeeded(value: unknown): Outcome {
  return { ok: true, value };
}

function failed(error: unknown): Outcome {
  return { ok: false, error };
}
