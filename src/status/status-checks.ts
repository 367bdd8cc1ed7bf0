/**
 * Checks of what callers pass to a status store before it reaches the database: a value a driver cannot bind
 * (undefined, NaN, an object) or a missing required field is `STORE_INVALID_RECORD` naming the field, never a
 * driver error or a crash. Shared by the SQLite and DynamoDB stores.
 */
import { StatusStoreError } from "../errors.ts";
import { JOB_STATES } from "./job-state.ts";
import type { JobTransition, LeaseClaim, NewJob, ProgressUpdate, ScrubOptions, WorkerRecord } from "./status-store.ts";

const MOVE_TARGETS: ReadonlySet<string> = new Set(JOB_STATES.filter((state) => state !== "queued"));
const WORKER_STATUSES: ReadonlySet<string> = new Set(["running", "draining", "stopped"]);

/** Collects the problems of one input. */
class Problems {
  readonly list: string[] = [];

  text(name: string, value: unknown, optional = false): void {
    if (optional && value === undefined) return;
    if (typeof value !== "string") this.list.push(`${name} must be a string`);
  }

  time(name: string, value: unknown, optional = false): void {
    if (optional && value === undefined) return;
    if (typeof value !== "number" || !Number.isFinite(value)) this.list.push(`${name} must be a finite number`);
  }

  count(name: string, value: unknown): void {
    if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 0) {
      this.list.push(`${name} must be a whole number ≥ 0`);
    }
  }

  throwIfAny(what: string): void {
    if (this.list.length > 0) {
      throw new StatusStoreError("STORE_INVALID_RECORD", `invalid ${what}: ${this.list.join("; ")}`);
    }
  }
}

/** `value[key]` as text for messages, whatever `value` is (callers may pass anything at run time). */
export function fieldText(value: unknown, key: string): string {
  return typeof value === "object" && value !== null ? String((value as Record<string, unknown>)[key]) : "?";
}

/** Throws `STORE_INVALID_RECORD` unless `value` is an object (not null). */
function checkObject(value: unknown, what: string): void {
  if (typeof value !== "object" || value === null) {
    throw new StatusStoreError("STORE_INVALID_RECORD", `invalid ${what}: not an object`);
  }
}

/** Checks the jobs a producer records (an array of {@link NewJob}). */
export function checkNewJobs(jobs: readonly NewJob[]): void {
  if (!Array.isArray(jobs)) throw new StatusStoreError("STORE_INVALID_RECORD", "enqueued() takes an array of jobs");
  jobs.forEach(checkNewJob);
}

/** Throws `STORE_INVALID_QUERY` unless each named value is a string (or undefined, where `optional`). */
export function checkQueryText(values: Readonly<Record<string, unknown>>, optional: boolean): void {
  for (const [name, value] of Object.entries(values)) {
    if (typeof value === "string" || (optional && value === undefined)) continue;
    throw new StatusStoreError("STORE_INVALID_QUERY", `${name} must be a string`);
  }
}

/** Throws `STORE_INVALID_QUERY` unless both scrub bounds are times (±Infinity allowed: everything or nothing). */
export function checkScrub(options: ScrubOptions): void {
  checkObject(options, "scrub options");
  for (const name of ["jobsFinishedBefore", "workersSeenBefore"] as const) {
    const value: unknown = options[name];
    if (typeof value !== "number" || Number.isNaN(value)) {
      throw new StatusStoreError("STORE_INVALID_QUERY", `scrub: ${name} must be a time in ms`);
    }
  }
}

/** Checks a job a producer records. */
export function checkNewJob(job: NewJob): void {
  checkObject(job, "job");
  const problems = new Problems();
  problems.text("id", job.id);
  problems.text("service", job.service);
  problems.text("method", job.method);
  problems.text("queue", job.queue, true);
  problems.time("enqueuedAt", job.enqueuedAt);
  problems.throwIfAny(`job ${String(job.id)}`);
}

/** Checks a transition. */
export function checkMove(move: JobTransition): void {
  checkObject(move, "move");
  const problems = new Problems();
  problems.text("id", move.id);
  if (!MOVE_TARGETS.has(move.to)) problems.list.push(`cannot move to ${JSON.stringify(move.to)}`);
  problems.count("attempt", move.attempt);
  problems.time("at", move.at);
  problems.text("workerId", move.workerId, true);
  if (move.create !== undefined) {
    problems.text("create.service", move.create.service);
    problems.text("create.method", move.create.method);
    problems.text("create.queue", move.create.queue, true);
    problems.time("create.enqueuedAt", move.create.enqueuedAt, true);
  }
  if (move.error !== undefined) {
    problems.text("error.type", move.error.type);
    problems.text("error.message", move.error.message);
  }
  if (move.result !== undefined && !(move.result instanceof Uint8Array)) {
    problems.list.push("result must be a Uint8Array");
  }
  problems.throwIfAny(`move of job ${String(move.id)}`);
}

/** Checks a progress report. */
export function checkProgress(update: ProgressUpdate): void {
  checkObject(update, "progress report");
  const problems = new Problems();
  problems.text("id", update.id);
  problems.count("attempt", update.attempt);
  problems.time("percent", update.percent);
  problems.text("message", update.message, true);
  problems.time("at", update.at);
  problems.throwIfAny(`progress of job ${String(update.id)}`);
}

/** Checks a heartbeat. */
export function checkWorker(worker: WorkerRecord): void {
  checkObject(worker, "heartbeat");
  const problems = new Problems();
  for (const name of ["workerId", "instanceId", "host"] as const) problems.text(name, worker[name]);
  if (!WORKER_STATUSES.has(worker.status)) problems.list.push(`unknown status ${JSON.stringify(worker.status)}`);
  if (!Array.isArray(worker.queues) || !worker.queues.every((queue) => typeof queue === "string")) {
    problems.list.push("queues must be an array of strings");
  }
  for (const name of ["startedAt", "lastSeenAt"] as const) problems.time(name, worker[name]);
  for (const name of ["pid", "inFlight", "processed", "failed"] as const) problems.count(name, worker[name]);
  problems.throwIfAny(`heartbeat of worker ${String(worker.workerId)}`);
}

/** Checks a lease claim. */
export function checkClaim(claim: LeaseClaim): void {
  checkObject(claim, "lease claim");
  const problems = new Problems();
  problems.text("name", claim.name);
  problems.text("holder", claim.holder);
  problems.count("ttlMs", claim.ttlMs);
  problems.time("now", claim.now);
  problems.throwIfAny(`lease claim on ${String(claim.name)}`);
}
