/**
 * Checks of what callers pass to a status store before it reaches the database: a value a driver cannot bind
 * (undefined, NaN, an object) or a missing required field is `STORE_INVALID_RECORD` naming the field, never a
 * driver error or a crash. Shared by the SQLite and DynamoDB stores; the scaler event checks by all four.
 */
import { StatusStoreError } from "../errors.ts";
import { JOB_STATES } from "./job-state.ts";
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from "./query-page.ts";
import type {
  JobTransition,
  ScalerEventKind,
  ScalerEventQuery,
  LeaseClaim,
  NewJob,
  ProgressUpdate,
  ScalerEvent,
  ScrubOptions,
  WorkerRecord,
} from "./status-store.ts";

const MOVE_TARGETS: ReadonlySet<string> = new Set(JOB_STATES.filter((state) => state !== "queued"));
const WORKER_STATUSES: ReadonlySet<string> = new Set(["running", "draining", "stopped"]);

/** Every kind of scaler event, in the order docs list them. */
export const SCALER_EVENT_KINDS: readonly ScalerEventKind[] = [
  "decision",
  "launch",
  "drain",
  "terminate",
  "recover",
  "leader",
  "scrub",
  "error",
];
const EVENT_KINDS: ReadonlySet<string> = new Set(SCALER_EVENT_KINDS);

/** Limits of a scaler event's fields (lengths in UTF-16 code units, memory in UTF-8 bytes). */
export const SCALER_EVENT_LIMITS = {
  id: 64,
  lease: 200,
  scalerId: 200,
  reason: 2000,
  instanceIds: 1000,
  instanceId: 200,
  memoryBytes: 64 * 1024,
} as const;

/** A lone surrogate: no store can keep it as UTF-8. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

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

  /** A string of at most `max` code units that every store keeps exactly; non-empty unless `empty`. */
  storable(name: string, value: unknown, max: number, empty = false): void {
    if (typeof value !== "string") this.list.push(`${name} must be a string`);
    else if (value === "" && !empty) this.list.push(`${name} must not be empty`);
    else if (value.length > max) this.list.push(`${name} is longer than ${max} characters`);
    // NUL: PostgreSQL text cannot hold it.
    else if (value.includes("\u0000") || LONE_SURROGATE.test(value)) {
      this.list.push(`${name} holds a NUL or a lone surrogate`);
    }
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
export function checkObject(value: unknown, what: string): void {
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

/**
 * Throws `STORE_INVALID_QUERY` unless the scrub bounds are times (±Infinity allowed: everything or nothing);
 * `scalerEventsBefore` may be left out.
 */
export function checkScrub(options: ScrubOptions): void {
  checkObject(options, "scrub options");
  for (const name of ["jobsFinishedBefore", "workersSeenBefore", "scalerEventsBefore"] as const) {
    const value: unknown = options[name];
    if (name === "scalerEventsBefore" && value === undefined) continue;
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

/** Checks a scaler event (see {@link ScalerEvent} for the limits). */
export function checkScalerEvent(event: ScalerEvent): void {
  checkObject(event, "scaler event");
  const problems = new Problems();
  const limits = SCALER_EVENT_LIMITS;
  problems.storable("id", event.id, limits.id);
  problems.storable("lease", event.lease, limits.lease);
  problems.storable("scalerId", event.scalerId, limits.scalerId);
  if (!Number.isSafeInteger(event.fencingToken) || event.fencingToken < 1) {
    problems.list.push("fencingToken must be a whole number ≥ 1");
  }
  if (!EVENT_KINDS.has(event.kind)) problems.list.push(`unknown kind ${JSON.stringify(event.kind)}`);
  problems.time("at", event.at);
  problems.storable("reason", event.reason, limits.reason, true);
  if (event.desired !== undefined) problems.count("desired", event.desired);
  checkInstanceIds(problems, event.instanceIds);
  if (event.memory !== undefined) {
    problems.storable("memory", event.memory, limits.memoryBytes, true);
    if (typeof event.memory === "string" && Buffer.byteLength(event.memory, "utf8") > limits.memoryBytes) {
      problems.list.push(`memory is larger than ${limits.memoryBytes} bytes`);
    }
  }
  problems.throwIfAny(`scaler event ${String(event.id)}`);
}

function checkInstanceIds(problems: Problems, ids: unknown): void {
  if (ids === undefined) return;
  if (!Array.isArray(ids)) {
    problems.list.push("instanceIds must be an array of strings");
    return;
  }
  if (ids.length > SCALER_EVENT_LIMITS.instanceIds) {
    problems.list.push(`instanceIds holds more than ${SCALER_EVENT_LIMITS.instanceIds} ids`);
  }
  ids.forEach((id: unknown, index) => problems.storable(`instanceIds[${index}]`, id, SCALER_EVENT_LIMITS.instanceId));
}

/** A checked {@link ScalerEventQuery}: every field resolved. */
export interface CheckedScalerEventQuery {
  readonly lease: string | undefined;
  /** Undefined: every kind. Empty: nothing matches. */
  readonly kinds: readonly ScalerEventKind[] | undefined;
  readonly before: string | undefined;
  readonly limit: number;
}

/** Checks a scaler event query; throws `STORE_INVALID_QUERY` naming what is wrong. */
export function checkedScalerEventQuery(query: ScalerEventQuery = {}): CheckedScalerEventQuery {
  if (typeof query !== "object" || query === null) throw invalidQuery("the scaler event query must be an object");
  const limit: unknown = query.limit ?? DEFAULT_PAGE_SIZE;
  if (typeof limit !== "number" || !Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE_SIZE) {
    throw invalidQuery(`limit must be a whole number from 1 to ${MAX_PAGE_SIZE}, got ${String(limit)}`);
  }
  checkQueryText({ lease: query.lease, before: query.before }, true);
  const kinds: unknown = query.kinds;
  if (kinds !== undefined) {
    if (!Array.isArray(kinds)) throw invalidQuery("kinds must be an array of scaler event kinds");
    for (const kind of kinds as unknown[]) {
      if (typeof kind !== "string" || !EVENT_KINDS.has(kind)) {
        throw invalidQuery(`unknown scaler event kind ${JSON.stringify(kind)}`);
      }
    }
  }
  return { lease: query.lease, kinds: query.kinds, before: query.before, limit };
}

function invalidQuery(message: string): StatusStoreError {
  return new StatusStoreError("STORE_INVALID_QUERY", message);
}
