/**
 * Converting between the contract's records and rows of the status tables. Rows are read defensively, since any
 * program can write to the file: a row that is not a valid record is `STORE_INVALID_RECORD`, never a crash.
 */
import type { SQLOutputValue } from "node:sqlite";
import { StatusStoreError } from "../../errors.ts";
import { JOB_STATES, type JobState } from "../job-state.ts";
import type { JobRecord, Lease, WorkerRecord, WorkerStatus } from "../status-store.ts";

/** A row as `node:sqlite` returns it. */
export type Row = Record<string, SQLOutputValue>;

const STATES: ReadonlySet<string> = new Set(JOB_STATES);
const WORKER_STATUSES: ReadonlySet<string> = new Set(["running", "draining", "stopped"]);

/** The job record of a jobs row. */
export function jobFromRow(row: Row): JobRecord {
  const id = text(row, "id", "job");
  const state = text(row, "state", id);
  if (!STATES.has(state)) invalid(id, `has an unknown state ${JSON.stringify(state)}`);
  const errorType = optionalText(row, "error_type", id);
  const result = row["result"];
  if (result !== null && !(result instanceof Uint8Array)) invalid(id, "has a result that is not a BLOB");
  return {
    id,
    service: text(row, "service", id),
    method: text(row, "method", id),
    state: state as JobState,
    attempt: number(row, "attempt", id),
    progress: optionalNumber(row, "progress", id),
    progressMessage: optionalText(row, "progress_message", id),
    workerId: optionalText(row, "worker_id", id),
    queue: optionalText(row, "queue", id),
    enqueuedAt: optionalNumber(row, "enqueued_at", id),
    startedAt: optionalNumber(row, "started_at", id),
    updatedAt: number(row, "updated_at", id),
    finishedAt: optionalNumber(row, "finished_at", id),
    error:
      errorType === undefined ? undefined : { type: errorType, message: optionalText(row, "error_message", id) ?? "" },
    result: result === null ? undefined : result,
  };
}

/** The worker record of a workers row. */
export function workerFromRow(row: Row): WorkerRecord {
  const workerId = text(row, "worker_id", "worker");
  const status = text(row, "status", workerId);
  if (!WORKER_STATUSES.has(status)) invalid(workerId, `has an unknown status ${JSON.stringify(status)}`);
  return {
    workerId,
    instanceId: text(row, "instance_id", workerId),
    host: text(row, "host", workerId),
    pid: number(row, "pid", workerId),
    status: status as WorkerStatus,
    queues: queuesFrom(text(row, "queues", workerId), workerId),
    startedAt: number(row, "started_at", workerId),
    lastSeenAt: number(row, "last_seen_at", workerId),
    inFlight: number(row, "in_flight", workerId),
    processed: number(row, "processed", workerId),
    failed: number(row, "failed", workerId),
  };
}

/** The lease of a leases row. */
export function leaseFromRow(row: Row): Lease {
  const name = text(row, "name", "lease");
  return {
    name,
    holder: text(row, "holder", name),
    token: number(row, "token", name),
    expiresAt: number(row, "expires_at", name),
  };
}

/** The parameters of a workers row. */
export function workerParameters(worker: WorkerRecord): Record<string, string | number> {
  return {
    workerId: worker.workerId,
    instanceId: worker.instanceId,
    host: worker.host,
    pid: worker.pid,
    status: worker.status,
    queues: JSON.stringify(worker.queues),
    startedAt: worker.startedAt,
    lastSeenAt: worker.lastSeenAt,
    inFlight: worker.inFlight,
    processed: worker.processed,
    failed: worker.failed,
  };
}

function queuesFrom(json: string, owner: string): readonly string[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    parsed = undefined;
  }
  if (!Array.isArray(parsed) || !parsed.every((queue) => typeof queue === "string")) {
    invalid(owner, "has queues that are not a JSON array of strings");
  }
  return parsed;
}

function text(row: Row, column: string, owner: string): string {
  const value = row[column];
  if (typeof value !== "string") invalid(owner, `has a ${column} that is not text`);
  return value;
}

function optionalText(row: Row, column: string, owner: string): string | undefined {
  return row[column] === null ? undefined : text(row, column, owner);
}

function number(row: Row, column: string, owner: string): number {
  const value = row[column];
  if (typeof value !== "number") invalid(owner, `has a ${column} that is not a number`);
  return value;
}

function optionalNumber(row: Row, column: string, owner: string): number | undefined {
  return row[column] === null ? undefined : number(row, column, owner);
}

function invalid(owner: string, problem: string): never {
  throw new StatusStoreError("STORE_INVALID_RECORD", `SQLite status store: ${JSON.stringify(owner)} ${problem}`);
}
