/**
 * The in-memory status store: the reference implementation of {@link StatusStore}, for tests and examples.
 * `memory:` opens a fresh store; `memory://<name>` shares one store by name within the process. JavaScript runs
 * one call at a time, so each method is atomic without locks.
 */
import { StatusStoreError } from "../../errors.ts";
import { canTransition, isFinal, JOB_STATES } from "../job-state.ts";
import type { OpenStatusStoreOptions } from "../open-status-store.ts";
import type {
  JobCounts,
  JobPage,
  JobQuery,
  JobRecord,
  JobTransition,
  Lease,
  LeaseClaim,
  NewJob,
  ProgressUpdate,
  ScalerEvent,
  ScalerEventQuery,
  ScrubOptions,
  ScrubResult,
  StatusStore,
  TransitionOutcome,
  WorkerRecord,
} from "../status-store.ts";
import { checkedQuery, pageOf } from "../query-page.ts";
import { checkScrub } from "../status-checks.ts";
import { MemoryScalerEvents } from "./memory-scaler-events.ts";

/** The data behind one or more memory store clients. */
interface MemoryData {
  readonly jobs: Map<string, JobRecord>;
  readonly workers: Map<string, WorkerRecord>;
  readonly leases: Map<string, Lease>;
  readonly scalerEvents: MemoryScalerEvents;
}

const named = new Map<string, MemoryData>();

function freshData(): MemoryData {
  return { jobs: new Map(), workers: new Map(), leases: new Map(), scalerEvents: new MemoryScalerEvents() };
}

/** Jobs, workers, leases and scaler events in process memory. */
export class MemoryStatusStore implements StatusStore {
  readonly kind = "memory";
  private readonly data: MemoryData;
  private closed = false;

  /** A store of its own, or the one shared under `name` in this process. */
  constructor(name?: string) {
    if (name === undefined) {
      this.data = freshData();
      return;
    }
    let data = named.get(name);
    if (!data) named.set(name, (data = freshData()));
    this.data = data;
  }

  enqueued(jobs: readonly NewJob[]): Promise<number> {
    return this.run(() => {
      let created = 0;
      for (const job of jobs) {
        if (this.data.jobs.has(job.id)) continue;
        this.data.jobs.set(job.id, queuedRecord(job));
        created += 1;
      }
      return created;
    });
  }

  transition(move: JobTransition): Promise<TransitionOutcome> {
    return this.run(() => {
      const current = this.data.jobs.get(move.id);
      if (current === undefined) {
        if (move.create === undefined) return { applied: false, record: undefined };
        const created = applyTransition(createdRecord(move), move);
        this.data.jobs.set(move.id, created);
        return { applied: true, record: created };
      }
      if (!canTransition(current.state, current.attempt, move.to, move.attempt)) {
        return { applied: false, record: current };
      }
      const next = applyTransition(current, move);
      this.data.jobs.set(move.id, next);
      return { applied: true, record: next };
    });
  }

  progress(update: ProgressUpdate): Promise<boolean> {
    return this.run(() => {
      const current = this.data.jobs.get(update.id);
      if (current?.state !== "running" || current.attempt !== update.attempt) return false;
      this.data.jobs.set(update.id, {
        ...current,
        progress: update.percent,
        progressMessage: update.message,
        updatedAt: update.at,
      });
      return true;
    });
  }

  get(id: string): Promise<JobRecord | undefined> {
    return this.run(() => this.data.jobs.get(id));
  }

  list(query: JobQuery = {}): Promise<JobPage> {
    return this.run(() => {
      const { limit, after } = checkedQuery(query);
      const matching = [...this.data.jobs.values()]
        .filter((job) => matches(job, query) && (after === undefined || job.id < after))
        .sort((a, b) => (a.id < b.id ? 1 : a.id > b.id ? -1 : 0));
      return pageOf(matching.slice(0, limit + 1), limit);
    });
  }

  counts(filter: Pick<JobQuery, "service" | "method"> = {}): Promise<JobCounts> {
    return this.run(() => {
      const counts = Object.fromEntries(JOB_STATES.map((state) => [state, 0])) as Record<JobRecord["state"], number>;
      for (const job of this.data.jobs.values()) if (matches(job, filter)) counts[job.state] += 1;
      return counts;
    });
  }

  heartbeat(worker: WorkerRecord): Promise<void> {
    return this.run(() => {
      this.data.workers.set(worker.workerId, { ...worker, queues: [...worker.queues] });
    });
  }

  workers(): Promise<readonly WorkerRecord[]> {
    return this.run(() => [...this.data.workers.values()].sort((a, b) => b.lastSeenAt - a.lastSeenAt));
  }

  acquireLease(claim: LeaseClaim): Promise<Lease | undefined> {
    return this.run(() => {
      const current = this.data.leases.get(claim.name);
      const expiresAt = claim.now + claim.ttlMs;
      if (current !== undefined && current.expiresAt > claim.now && current.holder !== claim.holder) return undefined;
      const renewing = current !== undefined && current.holder === claim.holder && current.expiresAt > claim.now;
      const token = current === undefined ? 1 : renewing ? current.token : current.token + 1;
      const lease: Lease = { name: claim.name, holder: claim.holder, token, expiresAt };
      this.data.leases.set(claim.name, lease);
      return lease;
    });
  }

  releaseLease(name: string, holder: string, token: number): Promise<boolean> {
    return this.run(() => {
      const current = this.data.leases.get(name);
      if (current === undefined || current.holder !== holder || current.token !== token) return false;
      // Lapsed (at time 0, as every store writes it); the token stays, so whoever takes it next gets a greater one.
      this.data.leases.set(name, { ...current, expiresAt: 0 });
      return true;
    });
  }

  lease(name: string): Promise<Lease | undefined> {
    return this.run(() => this.data.leases.get(name));
  }

  recordScalerEvent(event: ScalerEvent): Promise<boolean> {
    return this.run(() => this.data.scalerEvents.record(event, this.data.leases));
  }

  scalerEvents(query?: ScalerEventQuery): Promise<readonly ScalerEvent[]> {
    return this.run(() => this.data.scalerEvents.list(query));
  }

  scrub(options: ScrubOptions): Promise<ScrubResult> {
    return this.run(() => {
      checkScrub(options);
      let jobs = 0;
      let workers = 0;
      for (const [id, job] of this.data.jobs) {
        if (isFinal(job.state) && job.updatedAt < options.jobsFinishedBefore) {
          this.data.jobs.delete(id);
          jobs += 1;
        }
      }
      for (const [id, worker] of this.data.workers) {
        if (worker.lastSeenAt < options.workersSeenBefore) {
          this.data.workers.delete(id);
          workers += 1;
        }
      }
      return { jobs, workers, scalerEvents: this.data.scalerEvents.scrub(options.scalerEventsBefore) };
    });
  }

  close(): Promise<void> {
    this.closed = true;
    return Promise.resolve();
  }

  /** Runs `body` unless closed; its exceptions become rejections. */
  private run<T>(body: () => T): Promise<T> {
    if (this.closed) return Promise.reject(new StatusStoreError("STORE_CLOSED", "the memory status store is closed"));
    try {
      return Promise.resolve(body());
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
  }
}

function queuedRecord(job: NewJob): JobRecord {
  return {
    id: job.id,
    service: job.service,
    method: job.method,
    state: "queued",
    attempt: 0,
    progress: undefined,
    progressMessage: undefined,
    workerId: undefined,
    queue: job.queue,
    enqueuedAt: job.enqueuedAt,
    startedAt: undefined,
    updatedAt: job.enqueuedAt,
    finishedAt: undefined,
    error: undefined,
    result: undefined,
  };
}

/** The record a transition of an unknown job starts from (its `create` part). */
function createdRecord(move: JobTransition): JobRecord {
  const create = move.create!;
  return {
    ...queuedRecord({ id: move.id, service: create.service, method: create.method, enqueuedAt: move.at }),
    queue: create.queue,
    enqueuedAt: create.enqueuedAt,
  };
}

/** The record after `move` (already allowed). */
export function applyTransition(current: JobRecord, move: JobTransition): JobRecord {
  const final = isFinal(move.to);
  return {
    ...current,
    state: move.to,
    attempt: move.to === "cancelled" ? current.attempt : move.attempt,
    workerId: move.to === "cancelled" ? current.workerId : (move.workerId ?? current.workerId),
    startedAt: move.to === "running" ? (current.startedAt ?? move.at) : current.startedAt,
    updatedAt: move.at,
    finishedAt: final ? move.at : undefined,
    error: move.to === "succeeded" ? undefined : (move.error ?? current.error),
    result: move.result === undefined ? current.result : new Uint8Array(move.result),
  };
}

function matches(job: JobRecord, query: JobQuery): boolean {
  return (
    (query.state === undefined || job.state === query.state) &&
    (query.service === undefined || job.service === query.service) &&
    (query.method === undefined || job.method === query.method) &&
    (query.since === undefined || job.updatedAt >= query.since)
  );
}

/** Opens `memory:` (a fresh store) or `memory://<name>` (shared by name in this process). */
export function openMemoryStatusStore(url: URL, _options: OpenStatusStoreOptions): Promise<StatusStore> {
  const name = decodeURIComponent(url.host + url.pathname).replace(/^\/+/, "");
  return Promise.resolve(new MemoryStatusStore(name === "" ? undefined : name));
}
