/**
 * The SQL of the SQLite status store. Each write is one statement whose `WHERE` (or upsert condition) carries the
 * rule, so it is atomic in the database whichever connection or process runs it; transitions are built from
 * {@link transitionGuards}, so the SQL and `canTransition` cannot drift apart.
 */
import type { SQLInputValue } from "node:sqlite";
import { FINAL_STATES, isFinal, JOB_STATES, transitionGuards, type JobState } from "../job-state.ts";
import type { JobQuery, JobTransition } from "../status-store.ts";
import type { StatusTables } from "./sqlite-status-schema.ts";

/** Named parameters of a statement (a missing one binds NULL). */
export type Parameters = Record<string, SQLInputValue>;

/** The SQL text of the store's fixed statements. */
export function fixedStatements({ jobs, workers, leases }: StatusTables) {
  const finals = [...FINAL_STATES].map((state) => `'${state}'`).join(", ");
  return {
    enqueue: `INSERT INTO ${jobs} (id, service, method, state, attempt, queue, enqueued_at, updated_at)
      VALUES (:id, :service, :method, 'queued', 0, :queue, :enqueuedAt, :enqueuedAt) ON CONFLICT (id) DO NOTHING`,
    // The record a move creates when the producer's `queued` is missing (the move's UPDATE found no row): any move
    // applies to a record just made.
    createMoved: `INSERT INTO ${jobs} (id, service, method, state, attempt, worker_id, queue, enqueued_at, started_at,
        updated_at, finished_at, error_type, error_message, result)
      VALUES (:id, :service, :method, :to, :attempt, :workerId, :queue, :enqueuedAt, :startedAt, :at, :finishedAt,
        :errorType, :errorMessage, :result)
      ON CONFLICT (id) DO NOTHING
      RETURNING *`,
    get: `SELECT * FROM ${jobs} WHERE id = :id`,
    progress: `UPDATE ${jobs} SET progress = :percent, progress_message = :message, updated_at = :at
      WHERE id = :id AND state = 'running' AND attempt = :attempt`,
    heartbeat: `INSERT OR REPLACE INTO ${workers} (worker_id, instance_id, host, pid, status, queues, started_at,
        last_seen_at, in_flight, processed, failed)
      VALUES (:workerId, :instanceId, :host, :pid, :status, :queues, :startedAt, :lastSeenAt, :inFlight, :processed,
        :failed)`,
    workers: `SELECT * FROM ${workers} ORDER BY last_seen_at DESC, worker_id`,
    // The token grows when the holder changes or the lease had lapsed; a holder renewing in time keeps it.
    acquireLease: `INSERT INTO ${leases} (name, holder, token, expires_at) VALUES (:name, :holder, 1, :expiresAt)
      ON CONFLICT (name) DO UPDATE SET
        token = CASE WHEN holder = excluded.holder AND expires_at > :now THEN token ELSE token + 1 END,
        holder = excluded.holder, expires_at = excluded.expires_at
      WHERE expires_at <= :now OR holder = excluded.holder
      RETURNING *`,
    // The row stays (lapsed, at time 0) so that the next holder's token is still greater than this one.
    releaseLease: `UPDATE ${leases} SET expires_at = 0 WHERE name = :name AND holder = :holder AND token = :token`,
    lease: `SELECT * FROM ${leases} WHERE name = :name`,
    scrubJobs: `DELETE FROM ${jobs} WHERE state IN (${finals}) AND updated_at < :before`,
    scrubWorkers: `DELETE FROM ${workers} WHERE last_seen_at < :before`,
  } as const;
}

/** The names of the fixed statements. */
export type FixedStatement = keyof ReturnType<typeof fixedStatements>;

/**
 * The guarded `UPDATE` of a move to `to`: its `WHERE` is one `(state = … AND attempt <= :maxN)` per guard, and its
 * `SET` writes what the memory store's `applyTransition` writes. The shape depends on `to` only; the bounds are
 * parameters (see {@link guardParameters}).
 */
export function transitionSql(jobs: string, to: Exclude<JobState, "queued">): string {
  const guards = transitionGuards(to, 1).map((guard, index) => {
    if (!JOB_STATES.includes(guard.from)) throw new Error(`unknown state ${guard.from}`);
    return Number.isFinite(guard.maxAttempt)
      ? `(state = '${guard.from}' AND attempt <= :max${index})`
      : `(state = '${guard.from}')`;
  });
  const cancelling = to === "cancelled";
  return `UPDATE ${jobs} SET state = '${to}',
      attempt = ${cancelling ? "attempt" : ":attempt"},
      worker_id = ${cancelling ? "worker_id" : "COALESCE(:workerId, worker_id)"},
      started_at = ${to === "running" ? "COALESCE(started_at, :at)" : "started_at"},
      updated_at = :at,
      finished_at = ${isFinal(to) ? ":at" : "NULL"},
      error_type = ${to === "succeeded" ? "NULL" : "COALESCE(:errorType, error_type)"},
      error_message = ${to === "succeeded" ? "NULL" : "CASE WHEN :errorType IS NULL THEN error_message ELSE :errorMessage END"},
      result = COALESCE(:result, result)
    WHERE id = :id AND (${guards.join(" OR ")})
    RETURNING *`;
}

/** The `:maxN` parameters of {@link transitionSql} for a move at `attempt`. */
export function guardParameters(to: JobState, attempt: number): Parameters {
  const parameters: Parameters = {};
  transitionGuards(to, attempt).forEach((guard, index) => {
    if (Number.isFinite(guard.maxAttempt)) parameters[`max${index}`] = guard.maxAttempt;
  });
  return parameters;
}

/** The filters of a job query that are set, as a key naming the statement's shape. */
export function filterShape(query: Pick<JobQuery, "state" | "service" | "method" | "since">, after: boolean): string {
  return [
    query.state === undefined ? "" : "state",
    query.service === undefined ? "" : "service",
    query.method === undefined ? "" : "method",
    query.since === undefined ? "" : "since",
    after ? "after" : "",
  ].join(",");
}

function whereOf(shape: string): string {
  const parts = shape.split(",");
  const conditions = [
    parts.includes("state") ? "state = :state" : "",
    parts.includes("service") ? "service = :service" : "",
    parts.includes("method") ? "method = :method" : "",
    parts.includes("since") ? "updated_at >= :since" : "",
    parts.includes("after") ? "id < :after" : "",
  ].filter((condition) => condition !== "");
  return conditions.length === 0 ? "" : `WHERE ${conditions.join(" AND ")}`;
}

/** A page of jobs of one filter shape, newest id first, one row more than the page to tell whether more follow. */
export function listSql(jobs: string, shape: string): string {
  return `SELECT * FROM ${jobs} ${whereOf(shape)} ORDER BY id DESC LIMIT :limit`;
}

/** Jobs per state for one filter shape. */
export function countsSql(jobs: string, shape: string): string {
  return `SELECT state, COUNT(*) AS count FROM ${jobs} ${whereOf(shape)} GROUP BY state`;
}

/** The parameters of {@link transitionSql} for `move`. */
export function moveParameters(move: JobTransition): Parameters {
  const parameters = guardParameters(move.to, move.attempt);
  parameters["id"] = move.id;
  parameters["at"] = move.at;
  parameters["result"] = move.result ?? null;
  if (move.to === "cancelled") return withError(parameters, move);
  parameters["attempt"] = move.attempt;
  parameters["workerId"] = move.workerId ?? null;
  return move.to === "succeeded" ? parameters : withError(parameters, move);
}

function withError(parameters: Parameters, move: JobTransition): Parameters {
  parameters["errorType"] = move.error?.type ?? null;
  parameters["errorMessage"] = move.error?.message ?? null;
  return parameters;
}

/** The parameters of the `createMoved` insert: the record as `move` leaves a record it creates. */
export function createParameters(move: JobTransition & { readonly create: NonNullable<JobTransition["create"]> }) {
  const cancelling = move.to === "cancelled";
  const error = move.to === "succeeded" ? undefined : move.error;
  return {
    id: move.id,
    service: move.create.service,
    method: move.create.method,
    to: move.to,
    attempt: cancelling ? 0 : move.attempt,
    workerId: cancelling ? null : (move.workerId ?? null),
    queue: move.create.queue ?? null,
    enqueuedAt: move.create.enqueuedAt ?? null,
    startedAt: move.to === "running" ? move.at : null,
    at: move.at,
    finishedAt: isFinal(move.to) ? move.at : null,
    errorType: error?.type ?? null,
    errorMessage: error?.message ?? null,
    result: move.result ?? null,
  } satisfies Parameters;
}

/** The filter parameters of the list and count statements (unset ones bind NULL). */
export function filterParameters(query: Pick<JobQuery, "state" | "service" | "method" | "since">): Parameters {
  return {
    state: query.state ?? null,
    service: query.service ?? null,
    method: query.method ?? null,
    since: query.since ?? null,
  };
}
