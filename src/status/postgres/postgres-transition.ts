/**
 * The one statement that applies a {@link JobTransition}. With `create`, it is an upsert whose `DO UPDATE` carries
 * the guards of `transitionGuards` as its `WHERE`; without, an `UPDATE … WHERE <guards>`. Either way a CTE returns
 * the new row when the move applied and the row as the statement found it when not, so the caller learns both in
 * one round trip.
 *
 * The row "as found" comes from the statement's snapshot. Under READ COMMITTED a concurrent writer may have moved
 * the row after that snapshot was taken and before this statement locked it; then the snapshot row still passes
 * the guards (or, with `create`, there was no row) although the move did not apply. The result flags exactly that
 * case (`stale`), and the store reads the row again. Every other "not applied" is explained by the row returned.
 */
import { StatusStoreError } from "../../errors.ts";
import { isFinal, transitionGuards, type JobState } from "../job-state.ts";
import type { JobTransition } from "../status-store.ts";
import { JOB_COLUMNS, type JobRow } from "./postgres-rows.ts";

/** A prepared statement: its name (stable per shape, so each connection parses it once), text and values. */
export interface PreparedQuery {
  readonly name: string;
  readonly text: string;
  readonly values: unknown[];
}

/** A row of the transition statement. */
export interface TransitionRow extends JobRow {
  readonly applied: boolean;
  /** Not applied, yet the row as found would have allowed it: a concurrent writer got there first. */
  readonly stale: boolean;
}

const MOVE_TARGETS: ReadonlySet<string> = new Set(["running", "retrying", "succeeded", "failed", "dead", "cancelled"]);

/** The inserted columns, in the order of their parameters $1…$14. */
export const INSERT_COLUMNS = [
  "id",
  "service",
  "method",
  "queue",
  "enqueued_at",
  "state",
  "attempt",
  "worker_id",
  "started_at",
  "updated_at",
  "finished_at",
  "error_type",
  "error_message",
  "result",
] as const;
/** The SQL types of {@link INSERT_COLUMNS}. */
export const INSERT_TYPES = [
  "text",
  "text",
  "text",
  "text",
  "bigint",
  "text",
  "integer",
  "text",
  "bigint",
  "bigint",
  "bigint",
  "text",
  "text",
  "bytea",
] as const;

/** Throws STORE_INVALID_RECORD for a move no store could apply (an unknown state, a fractional attempt …). */
export function checkTransition(move: JobTransition): void {
  const problems: string[] = [];
  if (typeof move.id !== "string" || move.id === "") problems.push("id must be a non-empty string");
  if (!MOVE_TARGETS.has(move.to)) problems.push(`to must be one of ${[...MOVE_TARGETS].join(", ")}`);
  if (!Number.isSafeInteger(move.attempt) || move.attempt < 0 || move.attempt > 2_147_483_647) {
    problems.push("attempt must be a non-negative integer");
  }
  if (!Number.isSafeInteger(move.at)) problems.push("at must be an integer time in ms");
  if (
    move.create !== undefined &&
    (typeof move.create.service !== "string" || typeof move.create.method !== "string")
  ) {
    problems.push("create needs a service and a method");
  }
  if (move.create?.enqueuedAt !== undefined && !Number.isSafeInteger(move.create.enqueuedAt)) {
    problems.push("create.enqueuedAt must be an integer time in ms");
  }
  if (problems.length > 0) {
    throw new StatusStoreError(
      "STORE_INVALID_RECORD",
      `invalid transition of ${String(move.id)}: ${problems.join("; ")}`,
    );
  }
}

/** The values of the row the move writes, as if it created it (`EXCLUDED` in the upsert, `x` in the update). */
export function movedRowValues(move: JobTransition): unknown[] {
  const { to } = move;
  const cancelled = to === "cancelled";
  const error = to === "succeeded" ? undefined : move.error;
  const { result } = move;
  return [
    move.id,
    move.create?.service ?? "",
    move.create?.method ?? "",
    move.create?.queue ?? null,
    move.create?.enqueuedAt ?? null,
    to,
    cancelled ? 0 : move.attempt,
    cancelled ? null : (move.workerId ?? null),
    to === "running" ? move.at : null,
    move.at,
    isFinal(to) ? move.at : null,
    error?.type ?? null,
    error?.message ?? null,
    result === undefined ? null : Buffer.from(result.buffer, result.byteOffset, result.byteLength),
  ];
}

/**
 * What an applied move changes on an existing row `j`, given the moved row `x` (the same rule as the memory
 * store's `applyTransition`): the worker, the last error and the result are kept when the move brings none, the
 * start time is the first `running`'s, `succeeded` clears the error, `cancelled` keeps the attempt and the worker.
 */
function assignments(to: JobState, x: string): string[] {
  const set = [`state = ${x}.state`, `updated_at = ${x}.updated_at`, `finished_at = ${x}.finished_at`];
  if (to !== "cancelled") {
    set.push(`attempt = ${x}.attempt`, `worker_id = COALESCE(${x}.worker_id, j.worker_id)`);
  }
  if (to === "running") set.push(`started_at = COALESCE(j.started_at, ${x}.started_at)`);
  if (to === "succeeded") {
    set.push("error_type = NULL", "error_message = NULL");
  } else {
    set.push(
      `error_type = COALESCE(${x}.error_type, j.error_type)`,
      `error_message = CASE WHEN ${x}.error_type IS NULL THEN j.error_message ELSE ${x}.error_message END`,
    );
  }
  set.push(`result = COALESCE(${x}.result, j.result)`);
  return set;
}

/**
 * The guards as SQL over the row `j`; state names are the library's constants, the attempt bounds are parameters
 * from `firstParam` on. Returns the SQL and the bound values.
 */
function guardCondition(to: JobState, attempt: number, firstParam: number): { sql: string; values: number[] } {
  const values: number[] = [];
  const clauses = transitionGuards(to, attempt).map(({ from, maxAttempt }) => {
    if (!Number.isFinite(maxAttempt)) return `j.state = '${from}'`;
    values.push(maxAttempt);
    return `(j.state = '${from}' AND j.attempt <= $${firstParam + values.length - 1}::integer)`;
  });
  return { sql: clauses.length === 0 ? "false" : `(${clauses.join(" OR ")})`, values };
}

/** The statement applying `move` (checked by {@link checkTransition}) to the jobs table `jobs`. */
export function transitionQuery(jobs: string, move: JobTransition): PreparedQuery {
  const values = movedRowValues(move);
  const params = INSERT_TYPES.map((type, index) => `$${index + 1}::${type}`);
  const guard = guardCondition(move.to, move.attempt, params.length + 1);
  const create = move.create !== undefined;
  const moved = create
    ? `INSERT INTO ${jobs} AS j (${INSERT_COLUMNS.join(", ")}) VALUES (${params.join(", ")})
       ON CONFLICT (id) DO UPDATE SET ${assignments(move.to, "EXCLUDED").join(", ")} WHERE ${guard.sql}
       RETURNING ${JOB_COLUMNS}`
    : `UPDATE ${jobs} AS j SET ${assignments(move.to, "x").join(", ")}
       FROM (SELECT ${params.map((param, index) => `${param} AS ${INSERT_COLUMNS[index]}`).join(", ")}) AS x
       WHERE j.id = x.id AND ${guard.sql}
       RETURNING ${qualified("j")}`;
  const text = `WITH moved AS (${moved})
    SELECT true AS applied, false AS stale, ${JOB_COLUMNS} FROM moved
    UNION ALL
    SELECT false, ${guard.sql}, ${qualified("j")} FROM ${jobs} AS j
    WHERE j.id = $1::text AND NOT EXISTS (SELECT 1 FROM moved)`;
  return {
    name: `tq_transition_${move.to}_${create ? "create" : "update"}`,
    text: text.replaceAll(/\s+/g, " "),
    values: [...values, ...guard.values],
  };
}

/** {@link JOB_COLUMNS} qualified by a table alias. */
export function qualified(alias: string): string {
  return JOB_COLUMNS.split(", ")
    .map((column) => `${alias}.${column}`)
    .join(", ");
}
