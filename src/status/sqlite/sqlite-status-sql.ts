/**
 * The SQL of the SQLite status store. Each write is one statement whose `WHERE` (or upsert condition) carries the
 * rule, so it is atomic in the database whichever connection or process runs it; transitions are built from
 * {@link transitionGuards}, so the SQL and `canTransition` cannot drift apart.
 */
import type { DatabaseSync, SQLInputValue, StatementSync } from "node:sqlite";
import { FINAL_STATES, isFinal, JOB_STATES, transitionGuards, type JobState } from "../job-state.ts";
import type { JobQuery, JobTransition } from "../status-store.ts";
import type { StatusTables } from "./sqlite-status-schema.ts";

/** Named parameters of a statement (a missing one binds NULL). */
export type Parameters = Record<string, SQLInputValue>;

/** A prepared statement and the parameter names it uses, so callers may pass a superset. */
export class Prepared {
  readonly statement: StatementSync;
  private readonly names: readonly string[];

  constructor(database: DatabaseSync, sql: string) {
    this.statement = database.prepare(sql);
    this.names = [...new Set([...sql.matchAll(/:([A-Za-z]\w*)/g)].map((match) => match[1]!))];
  }

  /** The parameters this statement uses, taken from `all`. */
  bind(all: Parameters): Parameters {
    const used: Parameters = {};
    for (const name of this.names) used[name] = all[name] ?? null;
    return used;
  }
}

/** The SQL text of the store's fixed statements. */
export function fixedStatements({ jobs, workers, leases }: StatusTables) {
  const finals = [...FINAL_STATES].map((state) => `'${state}'`).join(", ");
  return {
    enqueue: `INSERT INTO ${jobs} (id, service, method, state, attempt, queue, enqueued_at, updated_at)
      VALUES (:id, :service, :method, 'queued', 0, :queue, :enqueuedAt, :enqueuedAt) ON CONFLICT (id) DO NOTHING`,
    // A move that may create its record, as one statement: a missing record is written moved at once (any move
    // applies to a record just made), an existing one is moved under the guards — so the worker's usual move (the
    // producer's `queued` already there) costs one statement, not a failed insert and then an update.
    createMoved: `INSERT INTO ${jobs} (id, service, method, state, attempt, worker_id, queue, enqueued_at, started_at,
        updated_at, finished_at, error_type, error_message, result)
      VALUES (:id, :service, :method, :to, :createdAttempt, :createdWorkerId, :queue, :enqueuedAt, :startedAt,
        :at, :finishedAt, :errorType, :errorMessage, :result)
      ON CONFLICT (id) DO UPDATE SET ${anyMoveSet()}
      WHERE ${anyMoveGuards()}
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

/** The most guards any move has (the upsert of a move to any state has this many `:guardStateN` slots). */
const GUARD_SLOTS = Math.max(...JOB_STATES.map((state) => transitionGuards(state, 1).length));

/** The `SET` of {@link transitionSql} for a move whose target state is the parameter `:to`. */
function anyMoveSet(): string {
  return `state = :to,
      attempt = CASE WHEN :to = 'cancelled' THEN attempt ELSE :attempt END,
      worker_id = CASE WHEN :to = 'cancelled' THEN worker_id ELSE COALESCE(:workerId, worker_id) END,
      started_at = CASE WHEN :to = 'running' THEN COALESCE(started_at, :at) ELSE started_at END,
      updated_at = :at,
      finished_at = :finishedAt,
      error_type = CASE WHEN :to = 'succeeded' THEN NULL ELSE COALESCE(:errorType, error_type) END,
      error_message = CASE WHEN :to = 'succeeded' THEN NULL WHEN :errorType IS NULL THEN error_message
        ELSE :errorMessage END,
      result = COALESCE(:result, result)`;
}

/** The guards of a move to `:to` as parameters: unused slots bind NULL, which no state equals. */
function anyMoveGuards(): string {
  const slots = Array.from({ length: GUARD_SLOTS }, (_, index) => index);
  return slots.map((index) => `(state = :guardState${index} AND attempt <= :guardMax${index})`).join(" OR ");
}

/** The `:guardStateN`/`:guardMaxN` parameters of the upsert for a move to `to` at `attempt`. */
function anyMoveGuardParameters(to: JobState, attempt: number): Parameters {
  const parameters: Parameters = {};
  transitionGuards(to, attempt).forEach((guard, index) => {
    parameters[`guardState${index}`] = guard.from;
    // `cancelled` ignores attempts: any attempt a record can have is below this bound.
    parameters[`guardMax${index}`] = Number.isFinite(guard.maxAttempt) ? guard.maxAttempt : Number.MAX_SAFE_INTEGER;
  });
  return parameters;
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

/** The parameters of both transition statements (each binds the ones it uses). */
export function transitionParameters(move: JobTransition): Parameters {
  const final = isFinal(move.to);
  const error = move.to === "succeeded" ? undefined : move.error;
  return {
    ...guardParameters(move.to, move.attempt),
    ...anyMoveGuardParameters(move.to, move.attempt),
    id: move.id,
    to: move.to,
    attempt: move.attempt,
    at: move.at,
    workerId: move.workerId ?? null,
    errorType: error?.type ?? null,
    errorMessage: error?.message ?? null,
    result: move.result ?? null,
    // Only for a record the move creates:
    service: move.create?.service ?? null,
    method: move.create?.method ?? null,
    queue: move.create?.queue ?? null,
    enqueuedAt: move.create?.enqueuedAt ?? null,
    createdAttempt: move.to === "cancelled" ? 0 : move.attempt,
    createdWorkerId: move.to === "cancelled" ? null : (move.workerId ?? null),
    startedAt: move.to === "running" ? move.at : null,
    finishedAt: final ? move.at : null,
  };
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
