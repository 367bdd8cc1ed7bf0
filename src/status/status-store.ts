/**
 * The status store contract: where every stage records what happened to a job (the producer writes `queued`,
 * workers write `running`, progress and the outcome) and where workers leave their heartbeats for health checks
 * and the scaler. Implementations: memory, SQLite (the embedded default), PostgreSQL and DynamoDB; every one passes
 * `runStatusStoreConformance`.
 *
 * Every write is conditional and atomic in the store itself (a single conditional UPDATE, a DynamoDB
 * ConditionExpression …), never read-then-write in the client: several workers and producers share one store.
 * Times are Unix milliseconds in this interface; the status API renders them as RFC 3339.
 */
import type { JobState } from "./job-state.ts";

/** Why a job failed, as recorded. */
export interface JobError {
  /** The error's class or Thrift exception name (`TypeError`, `jobs.UnreadableImage`, `HANDLER_TIMEOUT` …). */
  readonly type: string;
  readonly message: string;
}

/** One job, as the store knows it. */
export interface JobRecord {
  /** The job id (the envelope's id, UUIDv7 for jobs thrift-queue enqueued). */
  readonly id: string;
  /** Unqualified service name, as in multiplexed message names. */
  readonly service: string;
  readonly method: string;
  readonly state: JobState;
  /** The delivery attempt that last wrote; 0 while only queued. */
  readonly attempt: number;
  /** 0–100, as the handler last reported; undefined before any report. */
  readonly progress: number | undefined;
  readonly progressMessage: string | undefined;
  /** The worker that last wrote `running` or an outcome. */
  readonly workerId: string | undefined;
  /** The queue the job was sent to, where known. */
  readonly queue: string | undefined;
  /** When the producer enqueued it, where known (from the envelope's `enqueued-at`). */
  readonly enqueuedAt: number | undefined;
  /** When the first attempt started running. */
  readonly startedAt: number | undefined;
  /** When any field last changed. */
  readonly updatedAt: number;
  /** When it reached a final state. */
  readonly finishedAt: number | undefined;
  /** The last failure (kept when a later attempt is running, cleared on success). */
  readonly error: JobError | undefined;
  /**
   * Two-way methods: the method's `<method>_result` struct encoded with TBinaryProtocol (field 0 `success`, or a
   * declared exception's field), so any Thrift library can read it. Undefined for oneway methods.
   */
  readonly result: Uint8Array | undefined;
}

/** What a producer records when it sends a job. */
export interface NewJob {
  readonly id: string;
  readonly service: string;
  readonly method: string;
  readonly queue?: string;
  readonly enqueuedAt: number;
}

/** A conditional move of a job to another state (see `canTransition` in job-state.ts for the rule). */
export interface JobTransition {
  readonly id: string;
  readonly to: Exclude<JobState, "queued">;
  /** The delivery attempt writing; `cancelled` ignores it. */
  readonly attempt: number;
  /** When the move happened. */
  readonly at: number;
  /** Recorded as the job's worker (not for `cancelled`). */
  readonly workerId?: string;
  /**
   * Creates the record when the store has none (a producer that keeps no status, or whose `queued` write has not
   * landed yet). Without it, a move of an unknown job does not apply.
   */
  readonly create?: {
    readonly service: string;
    readonly method: string;
    readonly queue?: string;
    readonly enqueuedAt?: number;
  };
  /** For `retrying`, `failed`, `dead`: why. Cleared on `succeeded`. */
  readonly error?: JobError;
  /** For `succeeded` and `failed` of two-way methods: the encoded `<method>_result` struct. */
  readonly result?: Uint8Array;
}

/** What a transition did. */
export interface TransitionOutcome {
  /** Whether the store applied the move. */
  readonly applied: boolean;
  /**
   * The record after the call: the new one when applied, the unchanged one when not (so a worker that finds a job
   * already `succeeded` acks it without running it again); undefined when there is no record.
   */
  readonly record: JobRecord | undefined;
}

/** A progress report of the running attempt. */
export interface ProgressUpdate {
  readonly id: string;
  /** Applies only while the record is `running` at this attempt. */
  readonly attempt: number;
  /** 0–100; stores clamp nothing, the worker validates. */
  readonly percent: number;
  readonly message?: string;
  readonly at: number;
}

/** Filters of {@link StatusStore.list}. */
export interface JobQuery {
  readonly state?: JobState;
  readonly service?: string;
  readonly method?: string;
  /** Only jobs updated at or after this time. */
  readonly since?: number;
  /** Page size, 1–1000. @defaultValue 100 */
  readonly limit?: number;
  /** From {@link JobPage.nextCursor}; opaque. */
  readonly cursor?: string;
}

/** One page of jobs, ordered by id descending (newest first for UUIDv7 ids). */
export interface JobPage {
  readonly jobs: readonly JobRecord[];
  /** Pass as {@link JobQuery.cursor} for the next page; undefined on the last page. */
  readonly nextCursor: string | undefined;
}

/** How many jobs are in each state. */
export type JobCounts = Readonly<Record<JobState, number>>;

/** What a worker is doing. */
export type WorkerStatus = "running" | "draining" | "stopped";

/** A worker's heartbeat: what health checks and the scaler read. */
export interface WorkerRecord {
  /** Unique per worker process run. */
  readonly workerId: string;
  /** The machine or fleet instance it runs on (EC2 instance id, local process slot …). */
  readonly instanceId: string;
  readonly host: string;
  readonly pid: number;
  readonly status: WorkerStatus;
  /** Queues it consumes. */
  readonly queues: readonly string[];
  readonly startedAt: number;
  readonly lastSeenAt: number;
  /** Jobs running now. */
  readonly inFlight: number;
  /** Jobs settled since start (any outcome). */
  readonly processed: number;
  /** Of those, how many failed (retrying, failed or dead). */
  readonly failed: number;
}

/** What {@link StatusStore.scrub} removes. */
export interface ScrubOptions {
  /** Jobs in a final state whose `updatedAt` is before this time. */
  readonly jobsFinishedBefore: number;
  /** Workers whose `lastSeenAt` is before this time. */
  readonly workersSeenBefore: number;
  /** Scaler events whose `at` is before this time. @defaultValue none removed */
  readonly scalerEventsBefore?: number;
}

/** How many records {@link StatusStore.scrub} removed. */
export interface ScrubResult {
  readonly jobs: number;
  readonly workers: number;
  /** 0 when `scalerEventsBefore` was not given. */
  readonly scalerEvents: number;
}

/** What a scaler event records. */
export type ScalerEventKind = "decision" | "launch" | "drain" | "terminate" | "recover" | "leader" | "scrub" | "error";

/** One thing the scaler decided or did (`GET /v1/scaler` shows them). */
export interface ScalerEvent {
  /** Unique (UUIDv7, so ids sort by time). */
  readonly id: string;
  /** The leader lease's name (one per fleet), e.g. `scaler:grep-workers`. */
  readonly lease: string;
  /** The scaler that wrote it (the lease holder). */
  readonly scalerId: string;
  /** The lease's fencing token under which it was decided. */
  readonly fencingToken: number;
  readonly kind: ScalerEventKind;
  /** When it was decided or done (Unix ms). */
  readonly at: number;
  /** For people: why. */
  readonly reason: string;
  /** Decisions: the desired capacity. */
  readonly desired?: number;
  /** Actions: the instances concerned. */
  readonly instanceIds?: readonly string[];
  /**
   * Decisions: the policy's memory after the decision, JSON, so a new leader continues with what the old one
   * learned. At most 64 KiB.
   */
  readonly memory?: string;
}

/** Filters of {@link StatusStore.scalerEvents}. */
export interface ScalerEventQuery {
  /** Only this lease's events. */
  readonly lease?: string;
  /** Only these kinds (an empty list matches nothing). @defaultValue every kind */
  readonly kinds?: readonly ScalerEventKind[];
  /** Only events with an id below this one (paging back in time). */
  readonly before?: string;
  /** 1–1000. @defaultValue 100 */
  readonly limit?: number;
}

/** A claim on a named lease (the scaler's leadership). */
export interface LeaseClaim {
  readonly name: string;
  /** Who claims it (a scaler's id). */
  readonly holder: string;
  /** How long the lease lasts from `now`. */
  readonly ttlMs: number;
  readonly now: number;
}

/** A held lease. */
export interface Lease {
  readonly name: string;
  readonly holder: string;
  /**
   * The fencing token: grows by one each time the lease changes hands (or is taken again after it lapsed), stays
   * the same while one holder renews. An action carries it so a deposed holder's late action can be refused.
   */
  readonly token: number;
  readonly expiresAt: number;
}

/**
 * A status store. Every method is safe to call concurrently, from several processes sharing the store. Methods
 * reject with a `StatusStoreError` (`STORE_UNAVAILABLE` is retryable) and never with a raw driver error.
 * `close()` is idempotent; calls after it reject with `STORE_CLOSED`.
 */
export interface StatusStore {
  /** The family: `memory`, `sqlite`, `postgres`, `dynamodb`. */
  readonly kind: string;
  /**
   * Records `queued` for each job the store has no record of; a job that a worker already reached is left as it
   * is. One call is one round trip (or transaction) where the store allows: producers pass a whole send batch.
   * Returns how many records were created.
   */
  enqueued(jobs: readonly NewJob[]): Promise<number>;
  /** Applies a transition atomically if `canTransition(current, attempt)` allows it. */
  transition(move: JobTransition): Promise<TransitionOutcome>;
  /** Records progress; returns whether it applied (the attempt is still the running one). */
  progress(update: ProgressUpdate): Promise<boolean>;
  get(id: string): Promise<JobRecord | undefined>;
  /** Jobs matching the filters, newest id first. Throws `STORE_INVALID_QUERY` for a bad limit or cursor. */
  list(query?: JobQuery): Promise<JobPage>;
  /** Jobs per state (every state present, 0 when none). */
  counts(filter?: Pick<JobQuery, "service" | "method">): Promise<JobCounts>;
  /** Creates or replaces a worker's record. */
  heartbeat(worker: WorkerRecord): Promise<void>;
  /** Every worker record, most recently seen first. */
  workers(): Promise<readonly WorkerRecord[]>;
  /**
   * Takes or renews a lease, atomically: succeeds when nobody holds it, when it lapsed (`expiresAt <= now`) or
   * when `holder` already holds it; returns the lease, or undefined when someone else holds it.
   */
  acquireLease(claim: LeaseClaim): Promise<Lease | undefined>;
  /** Gives a lease up if `holder` still holds it with `token`; returns whether it did. */
  releaseLease(name: string, holder: string, token: number): Promise<boolean>;
  /** The lease as stored (possibly lapsed), or undefined when never taken. */
  lease(name: string): Promise<Lease | undefined>;
  /**
   * Records a scaler event, fenced: only when the lease `event.lease` is held by `event.scalerId` with
   * `event.fencingToken` (lapsed or not: nobody else took it). Returns false, recording nothing, otherwise — the
   * writer has been deposed and must not act. The check and the insert are one atomic step in the store, so an
   * event is never recorded after another holder took the lease. An id already recorded keeps its first event (a
   * retried call does not duplicate it) and the call still answers whether the fence holds. Throws
   * `STORE_INVALID_RECORD` for a malformed event (limits: id ≤ 64 characters, lease and scalerId ≤ 200, reason
   * ≤ 2000, at most 1000 instance ids of ≤ 200, memory ≤ 64 KiB of UTF-8; no text may hold NUL or a lone
   * surrogate, so that every store keeps it exactly).
   */
  recordScalerEvent(event: ScalerEvent): Promise<boolean>;
  /**
   * Scaler events matching every filter given, newest id first. Throws `STORE_INVALID_QUERY` for a bad limit or
   * kind.
   */
  scalerEvents(query?: ScalerEventQuery): Promise<readonly ScalerEvent[]>;
  /** Removes old final jobs, workers not seen for a while and, when asked, old scaler events. */
  scrub(options: ScrubOptions): Promise<ScrubResult>;
  close(): Promise<void>;
}
