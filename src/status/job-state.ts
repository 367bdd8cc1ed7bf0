/**
 * Job states and the transitions between them: the rule every status store applies atomically (a conditional
 * write), so that a late duplicate delivery or a slow worker can never move a job backwards.
 */

/** Where a job is. `succeeded`, `failed`, `dead` and `cancelled` are final. */
export type JobState = "queued" | "running" | "retrying" | "succeeded" | "failed" | "dead" | "cancelled";

/** Every state, in lifecycle order (for counts and listings). */
export const JOB_STATES: readonly JobState[] = [
  "queued",
  "running",
  "retrying",
  "succeeded",
  "failed",
  "dead",
  "cancelled",
];

/** States a job never leaves. */
export const FINAL_STATES: ReadonlySet<JobState> = new Set<JobState>(["succeeded", "failed", "dead", "cancelled"]);

/**
 * The states a job may be in for a move to `to` to apply:
 * - `queued` is only ever written when there is no record yet (a producer's first write);
 * - `running` follows `queued` or `retrying`, or `running` itself when a worker crashed and the message was
 *   delivered again (the attempt number then grows);
 * - `retrying`, `succeeded`, `failed` and `dead` follow `running` (a worker settling its own attempt); `dead` also
 *   follows `queued` and `retrying` (a message dead-lettered without running, say undecodable);
 * - `cancelled` follows any state that is not final.
 */
const ALLOWED_FROM: Readonly<Record<JobState, readonly JobState[]>> = {
  queued: [],
  running: ["queued", "retrying", "running"],
  retrying: ["running"],
  succeeded: ["running"],
  failed: ["running"],
  dead: ["queued", "running", "retrying"],
  cancelled: ["queued", "running", "retrying"],
};

/** The states from which a move to `to` applies (`queued`: none — it is only written to create a record). */
export function allowedFrom(to: JobState): readonly JobState[] {
  return ALLOWED_FROM[to];
}

/**
 * Whether a job at `current` (attempt `currentAttempt`) may move to `to` for attempt `attempt`. A worker's write
 * for an older attempt than the record's is stale and never applies; `running` again for the same attempt is a
 * duplicate delivery and does not apply either.
 */
export function canTransition(current: JobState, currentAttempt: number, to: JobState, attempt: number): boolean {
  if (!ALLOWED_FROM[to].includes(current)) return false;
  if (to === "cancelled") return true;
  if (attempt < currentAttempt) return false;
  if (to === "running" && current === "running") return attempt > currentAttempt;
  return true;
}

/** Whether `state` is final. */
export function isFinal(state: JobState): boolean {
  return FINAL_STATES.has(state);
}

/** One way a conditional write may apply: the record is in `from` at an attempt no greater than `maxAttempt`. */
export interface TransitionGuard {
  readonly from: JobState;
  /** The record's attempt must be ≤ this (`Infinity` for `cancelled`, which ignores attempts). */
  readonly maxAttempt: number;
}

/**
 * {@link canTransition} as data for stores that write conditionally (SQL `WHERE`, DynamoDB `ConditionExpression`):
 * the move to `to` at `attempt` applies exactly when the record matches one of the guards.
 */
export function transitionGuards(to: JobState, attempt: number): readonly TransitionGuard[] {
  return ALLOWED_FROM[to].map((from) => ({
    from,
    maxAttempt:
      to === "cancelled" ? Number.POSITIVE_INFINITY : from === "running" && to === "running" ? attempt - 1 : attempt,
  }));
}
