/**
 * The PostgreSQL store's reads and plain writes of jobs: the batch `queued` insert, progress, listing with
 * cursors and counts. Values from callers are always bound parameters; only the library's own column and state
 * names are written into the SQL text.
 */
import { StatusStoreError } from "../../errors.ts";
import { JOB_STATES, type JobState } from "../job-state.ts";
import type { JobQuery, NewJob, ProgressUpdate } from "../status-store.ts";
import { checkedQuery } from "../query-page.ts";
import { JOB_COLUMNS } from "./postgres-rows.ts";
import type { PreparedQuery } from "./postgres-transition.ts";

/** A query without a prepared name (its text varies with the filters). */
export interface PlainQuery {
  readonly text: string;
  readonly values: unknown[];
}

const STATES: ReadonlySet<string> = new Set(JOB_STATES);

/** The batch insert of `queued` records: one statement, jobs already known left as they are. */
export function enqueuedQuery(jobs: string, batch: readonly NewJob[]): PreparedQuery {
  for (const job of batch) {
    if (typeof job.id !== "string" || job.id === "" || !Number.isSafeInteger(job.enqueuedAt)) {
      throw new StatusStoreError(
        "STORE_INVALID_RECORD",
        `invalid queued job ${String(job.id)}: needs an id and an integer enqueuedAt`,
      );
    }
  }
  return {
    name: "tq_enqueued",
    text:
      `INSERT INTO ${jobs} (id, service, method, queue, enqueued_at, updated_at, state, attempt) ` +
      "SELECT id, service, method, queue, enqueued_at, enqueued_at, 'queued', 0 " +
      "FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::bigint[]) AS n(id, service, method, queue, enqueued_at) " +
      "ON CONFLICT (id) DO NOTHING",
    values: [
      batch.map((job) => job.id),
      batch.map((job) => job.service),
      batch.map((job) => job.method),
      batch.map((job) => job.queue ?? null),
      batch.map((job) => job.enqueuedAt),
    ],
  };
}

/** The progress write: applies only while the job is `running` at the update's attempt. */
export function progressQuery(jobs: string, update: ProgressUpdate): PreparedQuery {
  if (!Number.isFinite(update.percent) || !Number.isSafeInteger(update.attempt) || !Number.isSafeInteger(update.at)) {
    throw new StatusStoreError(
      "STORE_INVALID_RECORD",
      `invalid progress of ${String(update.id)}: percent, attempt and at must be numbers`,
    );
  }
  return {
    name: "tq_progress",
    text:
      `UPDATE ${jobs} SET progress = $3::double precision, progress_message = $4::text, updated_at = $5::bigint ` +
      "WHERE id = $1::text AND state = 'running' AND attempt = $2::integer",
    values: [update.id, update.attempt, update.percent, update.message ?? null, update.at],
  };
}

/** The filters of a query (already checked) as a WHERE clause over bound parameters. */
function filters(query: JobQuery, after: string | undefined, values: unknown[]): string {
  const conditions: string[] = [];
  const bind = (condition: string, value: unknown): void => {
    values.push(value);
    conditions.push(condition.replace("?", `$${values.length}`));
  };
  if (query.state !== undefined) bind("state = ?::text", query.state);
  if (query.service !== undefined) bind("service = ?::text", query.service);
  if (query.method !== undefined) bind("method = ?::text", query.method);
  // Times are whole ms, so `>= ceil(since)` is `>= since` for any since.
  if (query.since !== undefined) bind("updated_at >= ?::bigint", Math.ceil(query.since));
  if (after !== undefined) bind("id < ?::text", after);
  return conditions.length === 0 ? "" : `WHERE ${conditions.join(" AND ")}`;
}

/**
 * One page of a listing, newest id first, with the checks of query-page.ts (STORE_INVALID_QUERY); fetches one row
 * more than the page to know whether another follows.
 */
export function listQuery(jobs: string, query: JobQuery): PlainQuery & { readonly limit: number } {
  const { limit, after } = checkedQuery(query);
  const values: unknown[] = [];
  const where = filters(query, after, values);
  values.push(limit + 1);
  return {
    text: `SELECT ${JOB_COLUMNS} FROM ${jobs} ${where} ORDER BY id DESC LIMIT $${values.length}`,
    values,
    limit,
  };
}

/** Jobs per state under the service and method filters. */
export function countsQuery(jobs: string, filter: Pick<JobQuery, "service" | "method">): PlainQuery {
  const values: unknown[] = [];
  const where = filters({ service: filter.service, method: filter.method }, undefined, values);
  return { text: `SELECT state, count(*) AS count FROM ${jobs} ${where} GROUP BY state`, values };
}

/** Every state at 0, then the counted ones. */
export function countsFromRows(rows: readonly { state: string; count: string }[]): Record<JobState, number> {
  const counts = Object.fromEntries(JOB_STATES.map((state) => [state, 0])) as Record<JobState, number>;
  for (const row of rows) if (STATES.has(row.state)) counts[row.state as JobState] = Number(row.count);
  return counts;
}
