/**
 * The status API's JSON shapes, shared with the `status`, `jobs` and `workers` commands: the store's records with
 * times as RFC 3339 strings, unknown fields as `null` (every key always present) and results as base64.
 */
import type { JobState } from "../job-state.ts";
import type { JobCounts, JobRecord, WorkerRecord, WorkerStatus } from "../status-store.ts";

/** A job as the status API renders it. */
export interface JobJson {
  readonly id: string;
  readonly service: string;
  readonly method: string;
  readonly state: JobState;
  readonly attempt: number;
  readonly progress: number | null;
  readonly progressMessage: string | null;
  readonly workerId: string | null;
  readonly queue: string | null;
  readonly enqueuedAt: string | null;
  readonly startedAt: string | null;
  readonly updatedAt: string | null;
  readonly finishedAt: string | null;
  readonly error: { readonly type: string; readonly message: string } | null;
  /** The encoded `<method>_result` struct (TBinaryProtocol) as base64; null for oneway methods and unfinished jobs. */
  readonly result: string | null;
}

/** A worker as the status API renders it, with its derived health. */
export interface WorkerJson {
  readonly workerId: string;
  readonly instanceId: string;
  readonly host: string;
  readonly pid: number;
  readonly status: WorkerStatus;
  readonly queues: readonly string[];
  readonly startedAt: string | null;
  readonly lastSeenAt: string | null;
  /** How long ago the last heartbeat was, in ms (never negative). */
  readonly lastSeenAgoMs: number;
  readonly inFlight: number;
  readonly processed: number;
  readonly failed: number;
  /** Last seen longer ago than the stale threshold. */
  readonly stale: boolean;
  /** Not stale, and not stopped. */
  readonly healthy: boolean;
}

/** Counts per state, with their sum. */
export interface CountsJson {
  readonly counts: JobCounts;
  readonly total: number;
}

/** Unix ms as RFC 3339 (UTC, ms precision); null for undefined or times a Date cannot hold. */
export function rfc3339(ms: number | undefined): string | null {
  if (ms === undefined || !Number.isFinite(ms)) return null;
  const date = new Date(ms);
  return Number.isNaN(date.getTime()) ? null : date.toISOString();
}

/** A job record as JSON. */
export function jobJson(job: JobRecord): JobJson {
  return {
    id: job.id,
    service: job.service,
    method: job.method,
    state: job.state,
    attempt: job.attempt,
    progress: job.progress ?? null,
    progressMessage: job.progressMessage ?? null,
    workerId: job.workerId ?? null,
    queue: job.queue ?? null,
    enqueuedAt: rfc3339(job.enqueuedAt),
    startedAt: rfc3339(job.startedAt),
    updatedAt: rfc3339(job.updatedAt),
    finishedAt: rfc3339(job.finishedAt),
    error: job.error === undefined ? null : { type: job.error.type, message: job.error.message },
    result: job.result === undefined ? null : Buffer.from(job.result).toString("base64"),
  };
}

/** A worker record as JSON, stale when last seen more than `staleAfterMs` before `now`. */
export function workerJson(worker: WorkerRecord, now: number, staleAfterMs: number): WorkerJson {
  const lastSeenAgoMs = Math.max(0, now - worker.lastSeenAt);
  // A record with an unreadable time is stale: nothing says it is alive.
  const stale = !Number.isFinite(lastSeenAgoMs) || lastSeenAgoMs > staleAfterMs;
  return {
    workerId: worker.workerId,
    instanceId: worker.instanceId,
    host: worker.host,
    pid: worker.pid,
    status: worker.status,
    queues: [...worker.queues],
    startedAt: rfc3339(worker.startedAt),
    lastSeenAt: rfc3339(worker.lastSeenAt),
    lastSeenAgoMs: Number.isFinite(lastSeenAgoMs) ? lastSeenAgoMs : 0,
    inFlight: worker.inFlight,
    processed: worker.processed,
    failed: worker.failed,
    stale,
    healthy: !stale && worker.status !== "stopped",
  };
}

/** Counts as JSON, with their total. */
export function countsJson(counts: JobCounts): CountsJson {
  return { counts, total: Object.values(counts).reduce((sum, count) => sum + count, 0) };
}
