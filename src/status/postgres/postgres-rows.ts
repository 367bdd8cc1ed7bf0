/**
 * Rows of the PostgreSQL store's tables as `pg` returns them, and their mapping to the contract's records. `pg`
 * returns `bigint` columns as strings (they may exceed 2^53); times, counters and tokens stay far below that, so
 * they become numbers here.
 */
import { StatusStoreError } from "../../errors.ts";
import { JOB_STATES, type JobState } from "../job-state.ts";
import type { JobRecord, Lease, WorkerRecord, WorkerStatus } from "../status-store.ts";

/** A row of the jobs table. */
export interface JobRow {
  readonly id: string;
  readonly service: string;
  readonly method: string;
  readonly state: string;
  readonly attempt: number;
  readonly progress: number | null;
  readonly progress_message: string | null;
  readonly worker_id: string | null;
  readonly queue: string | null;
  readonly enqueued_at: string | null;
  readonly started_at: string | null;
  readonly updated_at: string;
  readonly finished_at: string | null;
  readonly error_type: string | null;
  readonly error_message: string | null;
  readonly result: Buffer | null;
}

/** A row of the workers table. */
export interface WorkerRow {
  readonly worker_id: string;
  readonly instance_id: string;
  readonly host: string;
  readonly pid: number;
  readonly status: string;
  readonly queues: string[];
  readonly started_at: string;
  readonly last_seen_at: string;
  readonly in_flight: number;
  readonly processed: string;
  readonly failed: string;
}

/** A row of the leases table. */
export interface LeaseRow {
  readonly name: string;
  readonly holder: string;
  readonly token: string;
  readonly expires_at: string;
}

const STATES: ReadonlySet<string> = new Set(JOB_STATES);
const WORKER_STATUSES: ReadonlySet<string> = new Set(["running", "draining", "stopped"]);

/** The column list every job query selects, in the order of {@link JobRow}. */
export const JOB_COLUMNS =
  "id, service, method, state, attempt, progress, progress_message, worker_id, queue, enqueued_at, started_at, " +
  "updated_at, finished_at, error_type, error_message, result";

/** The contract's record of a job row; a row edited by hand into an unknown state is STORE_INVALID_RECORD. */
export function jobFromRow(row: JobRow): JobRecord {
  if (!STATES.has(row.state)) {
    throw new StatusStoreError(
      "STORE_INVALID_RECORD",
      `job ${row.id} has an unknown state ${JSON.stringify(row.state)}`,
    );
  }
  return {
    id: row.id,
    service: row.service,
    method: row.method,
    state: row.state as JobState,
    attempt: row.attempt,
    progress: row.progress ?? undefined,
    progressMessage: row.progress_message ?? undefined,
    workerId: row.worker_id ?? undefined,
    queue: row.queue ?? undefined,
    enqueuedAt: optionalNumber(row.enqueued_at),
    startedAt: optionalNumber(row.started_at),
    updatedAt: Number(row.updated_at),
    finishedAt: optionalNumber(row.finished_at),
    error: row.error_type === null ? undefined : { type: row.error_type, message: row.error_message ?? "" },
    // A copy: pg's Buffers may share a pooled slab, which a caller should not see through.
    result: row.result === null ? undefined : new Uint8Array(row.result),
  };
}

/** The contract's record of a worker row. */
export function workerFromRow(row: WorkerRow): WorkerRecord {
  if (!WORKER_STATUSES.has(row.status)) {
    throw new StatusStoreError(
      "STORE_INVALID_RECORD",
      `worker ${row.worker_id} has an unknown status ${JSON.stringify(row.status)}`,
    );
  }
  return {
    workerId: row.worker_id,
    instanceId: row.instance_id,
    host: row.host,
    pid: row.pid,
    status: row.status as WorkerStatus,
    queues: row.queues,
    startedAt: Number(row.started_at),
    lastSeenAt: Number(row.last_seen_at),
    inFlight: row.in_flight,
    processed: Number(row.processed),
    failed: Number(row.failed),
  };
}

/** The contract's lease of a lease row. */
export function leaseFromRow(row: LeaseRow): Lease {
  return { name: row.name, holder: row.holder, token: Number(row.token), expiresAt: Number(row.expires_at) };
}

function optionalNumber(value: string | null): number | undefined {
  return value === null ? undefined : Number(value);
}
