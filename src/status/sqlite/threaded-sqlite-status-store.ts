/**
 * The SQLite status store on a thread of its own (what `sqlite:<path>?thread=true` opens): the same
 * store, statements and transaction groups as {@link SqliteStatusStore}, but `node:sqlite` is synchronous, so on
 * the caller's thread every statement and commit stalls the event loop that also runs the transport and the
 * handlers. Here the connection lives on a worker thread; the calls of one event-loop turn cross in one message,
 * enter the store in one turn (so they still share one transaction) and their answers come back together. Order is
 * kept: a read sees every write called before it. The thread does not keep the process alive while nothing is
 * waiting for it. The hop costs CPU of its own (docs/status-store-sqlite.md has the figures), so it is not the
 * default.
 */
import { Worker } from "node:worker_threads";
import { StatusStoreError } from "../../errors.ts";
import { threadExecArgv } from "../../sqlite/thread-exec-argv.ts";
import type { Logger } from "../../logger.ts";
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
import { resolveSqliteStatusStoreOptions, type SqliteStatusStoreOptions } from "./sqlite-status-options.ts";
import {
  fromCrossingError,
  type ThreadCall,
  type ThreadedMethod,
  type ThreadReply,
  type ThreadRequest,
  type ThreadStoreOptions,
} from "./sqlite-status-thread-protocol.ts";

// Beside this file: .ts when the sources run directly, .js once built.
const THREAD_ENTRY = new URL(
  import.meta.url.endsWith(".ts") ? "./sqlite-status-thread.ts" : "./sqlite-status-thread.js",
  import.meta.url,
);

/** Methods whose bad arguments are a query's, not a record's. */
const QUERIES: ReadonlySet<ThreadedMethod> = new Set<ThreadedMethod>([
  "get",
  "list",
  "counts",
  "lease",
  "scalerEvents",
]);

interface Waiting {
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: Error) => void;
}

/** A SQLite status store whose connection runs on a worker thread. */
export class ThreadedSqliteStatusStore implements StatusStore {
  readonly kind = "sqlite";
  private readonly thread: Worker;
  private readonly logger: Logger;
  private readonly waiting = new Map<number, Waiting>();
  private readonly opened: Promise<void>;
  private outbox: ThreadCall[] = [];
  private scheduled: NodeJS.Immediate | undefined;
  private nextSeq = 0;
  private referenced = true;
  /** Set once calls are refused: closing, closed, or the thread gone. */
  private refusal: StatusStoreError | undefined;
  private closing: Promise<void> | undefined;
  private onClosed: (() => void) | undefined;

  /**
   * Starts the thread and opens the file on it (creating it when missing). Rejects with a ConfigError for bad
   * options, or a StatusStoreError when the file cannot be opened.
   */
  static async open(options: SqliteStatusStoreOptions): Promise<ThreadedSqliteStatusStore> {
    const { logger, ...threadOptions } = resolveSqliteStatusStoreOptions(options);
    const store = new ThreadedSqliteStatusStore(threadOptions, logger);
    await store.opened;
    return store;
  }

  private constructor(options: ThreadStoreOptions, logger: Logger) {
    this.logger = logger;
    this.thread = new Worker(THREAD_ENTRY, {
      workerData: options,
      name: "thrift-queue sqlite status store",
      execArgv: threadExecArgv(),
    });
    this.opened = new Promise<void>((resolve, reject) => {
      const onOpenReply = (reply: ThreadReply): void => {
        if (reply.kind !== "ready" && reply.kind !== "open-failed") return;
        this.thread.off("message", onOpenReply);
        if (reply.kind === "ready") {
          this.updateReference();
          resolve();
        } else {
          this.refusal = new StatusStoreError("STORE_CLOSED", "the SQLite status store could not be opened");
          reject(fromCrossingError(reply.error));
        }
      };
      this.thread.on("message", onOpenReply);
      this.thread.once("error", (error: Error) => reject(this.stopped(`its thread failed to start: ${error.message}`)));
      this.thread.once("exit", (code) => reject(this.stopped(`its thread exited with code ${code} while opening`)));
    });
    // Settled by the listeners above; a caller that never awaits open() must not see an unhandled rejection.
    this.opened.catch(() => undefined);
    this.thread.on("message", (reply: ThreadReply) => this.receive(reply));
    this.thread.on("error", (error: Error) => this.fail(`its thread failed: ${error.message}`));
    this.thread.on("exit", (code) => {
      this.fail(`its thread exited with code ${code}`);
      this.onClosed?.();
    });
  }

  enqueued(jobs: readonly NewJob[]): Promise<number> {
    return this.call("enqueued", [jobs]);
  }

  transition(move: JobTransition): Promise<TransitionOutcome> {
    return this.call("transition", [move]);
  }

  progress(update: ProgressUpdate): Promise<boolean> {
    return this.call("progress", [update]);
  }

  get(id: string): Promise<JobRecord | undefined> {
    return this.call("get", [id]);
  }

  list(query?: JobQuery): Promise<JobPage> {
    return this.call("list", [query]);
  }

  counts(filter?: Pick<JobQuery, "service" | "method">): Promise<JobCounts> {
    return this.call("counts", [filter]);
  }

  heartbeat(worker: WorkerRecord): Promise<void> {
    return this.call("heartbeat", [worker]);
  }

  workers(): Promise<readonly WorkerRecord[]> {
    return this.call("workers", []);
  }

  acquireLease(claim: LeaseClaim): Promise<Lease | undefined> {
    return this.call("acquireLease", [claim]);
  }

  releaseLease(name: string, holder: string, token: number): Promise<boolean> {
    return this.call("releaseLease", [name, holder, token]);
  }

  lease(name: string): Promise<Lease | undefined> {
    return this.call("lease", [name]);
  }

  recordScalerEvent(event: ScalerEvent): Promise<boolean> {
    return this.call("recordScalerEvent", [event]);
  }

  scalerEvents(query?: ScalerEventQuery): Promise<readonly ScalerEvent[]> {
    return this.call("scalerEvents", [query]);
  }

  scrub(options: ScrubOptions): Promise<ScrubResult> {
    return this.call("scrub", [options]);
  }

  /** Runs every call made before it, commits, closes the file and stops the thread. Idempotent. */
  close(): Promise<void> {
    if (this.closing !== undefined) return this.closing;
    if (this.refusal !== undefined) {
      // The thread is gone already.
      this.closing = this.thread.terminate().then(() => undefined);
      return this.closing;
    }
    this.flush();
    this.refusal = new StatusStoreError("STORE_CLOSED", "the SQLite status store is closed");
    const closed = new Promise<void>((resolve) => (this.onClosed = resolve));
    this.closing = closed.then(() => this.thread.terminate()).then(() => undefined);
    this.updateReference();
    this.post({ kind: "close" });
    return this.closing;
  }

  private call<T>(method: ThreadedMethod, args: readonly unknown[]): Promise<T> {
    if (this.refusal !== undefined) return Promise.reject(this.refusal);
    return new Promise<T>((resolve, reject) => {
      const seq = this.nextSeq++;
      this.waiting.set(seq, { resolve: resolve as (value: unknown) => void, reject });
      this.outbox.push({ seq, method, args });
      this.scheduled ??= setImmediate(() => this.flush());
      this.updateReference();
    });
  }

  /** Sends the calls of this turn in one message; one that cannot be cloned is refused alone. */
  private flush(): void {
    if (this.scheduled !== undefined) clearImmediate(this.scheduled);
    this.scheduled = undefined;
    if (this.outbox.length === 0) return;
    const calls = this.outbox;
    this.outbox = [];
    try {
      this.post({ kind: "calls", calls });
    } catch {
      for (const call of calls) {
        try {
          this.post({ kind: "calls", calls: [call] });
        } catch (error) {
          this.settle(call.seq, (waiting) => waiting.reject(uncloneable(call.method, error)));
        }
      }
    }
  }

  private post(request: ThreadRequest): void {
    this.thread.postMessage(request);
  }

  private receive(reply: ThreadReply): void {
    switch (reply.kind) {
      case "answers":
        for (const answer of reply.answers) {
          this.settle(answer.seq, (waiting) =>
            answer.ok ? waiting.resolve(answer.value) : waiting.reject(fromCrossingError(answer.error)),
          );
        }
        return;
      case "log":
        try {
          this.logger[reply.level](reply.context, reply.message);
        } catch {
          // A logger that throws must not take the process down from a message event.
        }
        return;
      case "closed":
        this.onClosed?.();
        return;
      case "ready":
      case "open-failed":
        // Handled while opening.
        return;
    }
  }

  private settle(seq: number, how: (waiting: Waiting) => void): void {
    const waiting = this.waiting.get(seq);
    if (waiting === undefined) return;
    this.waiting.delete(seq);
    how(waiting);
    this.updateReference();
  }

  /** The thread is gone: every waiting call and every later one fails. */
  private fail(why: string): void {
    const error = this.stopped(why);
    this.refusal ??= error;
    for (const waiting of this.waiting.values()) waiting.reject(error);
    this.waiting.clear();
    this.outbox = [];
  }

  private stopped(why: string): StatusStoreError {
    return new StatusStoreError("STORE_FAILED", `the SQLite status store stopped: ${why}`);
  }

  /** Keeps the process alive only while calls wait for the thread. */
  private updateReference(): void {
    const needed = this.waiting.size > 0 || this.closing !== undefined;
    if (needed === this.referenced) return;
    this.referenced = needed;
    if (needed) this.thread.ref();
    else this.thread.unref();
  }
}

function uncloneable(method: ThreadedMethod, error: unknown): StatusStoreError {
  const detail = error instanceof Error ? error.message : String(error);
  const code = QUERIES.has(method) ? "STORE_INVALID_QUERY" : "STORE_INVALID_RECORD";
  return new StatusStoreError(code, `${method}: the arguments cannot be passed to the store's thread: ${detail}`);
}
