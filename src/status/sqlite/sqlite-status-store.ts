/**
 * The SQLite status store, the embedded default (`sqlite:<path>`): one file, shared safely by every process on the
 * machine. Writes are single guarded statements (see sqlite-status-sql.ts) run in `BEGIN IMMEDIATE` transactions
 * that group the writes of one event-loop turn; reads run at once, or behind the writes already waiting, so a
 * caller always reads what it wrote.
 */
import type { DatabaseSync } from "node:sqlite";
import { StatusStoreError } from "../../errors.ts";
import { JOB_STATES, type JobState } from "../job-state.ts";
import { checkedQuery, pageOf } from "../query-page.ts";
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
import {
  checkedScalerEventQuery,
  checkScalerEvent,
  checkClaim,
  checkMove,
  checkNewJobs,
  checkProgress,
  checkQueryText,
  checkScrub,
  checkWorker,
  fieldText,
} from "../status-checks.ts";
import { SqliteScalerEvents } from "./sqlite-scaler-events.ts";
import { toSqliteStoreError } from "./sqlite-status-errors.ts";
import {
  resolveSqliteStatusStoreOptions,
  type ResolvedSqliteStatusStoreOptions,
  type SqliteStatusStoreOptions,
} from "./sqlite-status-options.ts";
import { PositionalStatement } from "../../sqlite/positional-statement.ts";
import { attachWalCheckpoints, type WalCheckpoints } from "../../sqlite/wal-checkpoints.ts";
import { jobFromRow, leaseFromRow, workerFromRow, workerParameters, type Row } from "./sqlite-status-rows.ts";
import { openStatusDatabase, statusTables, type StatusTables } from "./sqlite-status-schema.ts";
import {
  countsSql,
  filterParameters,
  filterShape,
  fixedStatements,
  createParameters,
  listSql,
  moveParameters,
  transitionSql,
  type FixedStatement,
  type Parameters,
} from "./sqlite-status-sql.ts";
import { TransactionGroup } from "./sqlite-transaction-group.ts";

/** Jobs, workers, leases and scaler events in a SQLite file. */
export class SqliteStatusStore implements StatusStore {
  readonly kind = "sqlite";
  private readonly options: ResolvedSqliteStatusStoreOptions;
  private readonly database: DatabaseSync;
  private readonly tables: StatusTables;
  private readonly fixed: Record<FixedStatement, PositionalStatement>;
  private readonly shaped = new Map<string, PositionalStatement>();
  private readonly group: TransactionGroup;
  private readonly checkpoints: WalCheckpoints;
  private readonly scalerEventTable: SqliteScalerEvents;
  private closed = false;

  /** Opens (creating when missing) the file; throws ConfigError for bad options, StatusStoreError if unusable. */
  constructor(options: SqliteStatusStoreOptions) {
    this.options = resolveSqliteStatusStoreOptions(options);
    this.database = openStatusDatabase(this.options);
    this.tables = statusTables(this.options.tablePrefix);
    const entries = Object.entries(fixedStatements(this.tables)).map(
      ([name, sql]) => [name, new PositionalStatement(this.database, sql)] as const,
    );
    this.fixed = Object.fromEntries(entries) as Record<FixedStatement, PositionalStatement>;
    this.scalerEventTable = new SqliteScalerEvents(this.database, this.tables.scalerEvents, this.tables.leases);
    this.checkpoints = attachWalCheckpoints(this.database, this.options.path, {
      mode: this.options.checkpoints,
      logger: this.options.logger,
    });
    this.group = new TransactionGroup(
      this.database,
      this.options.maxBatchSize,
      toSqliteStoreError,
      this.options.logger,
      this.checkpoints.committed,
    );
  }

  enqueued(jobs: readonly NewJob[]): Promise<number> {
    return this.write("recording queued jobs", () => {
      checkNewJobs(jobs);
      const insert = this.fixed.enqueue;
      return () => {
        let created = 0;
        for (const job of jobs) {
          const { id, service, method, enqueuedAt } = job;
          created += insert.run({ id, service, method, queue: job.queue ?? null, enqueuedAt });
        }
        return created;
      };
    });
  }

  transition(move: JobTransition): Promise<TransitionOutcome> {
    return this.write(`moving job ${fieldText(move, "id")} to ${fieldText(move, "to")}`, () => {
      checkMove(move);
      const moved = this.shapedStatement(`move:${move.to}`, () => transitionSql(this.tables.jobs, move.to));
      const parameters = moveParameters(move);
      // The guarded UPDATE first: the usual move (the producer's `queued` already there) is one statement. Only when
      // it changes nothing does the record decide: missing, it is created moved; there, the move was refused.
      return () => {
        const row = moved.get(parameters);
        if (row !== undefined) return { applied: true, record: jobFromRow(row) };
        const record = this.getNow(move.id);
        if (record !== undefined || move.create === undefined) return { applied: false, record };
        const created = this.fixed.createMoved.get(createParameters({ ...move, create: move.create }));
        return created === undefined
          ? { applied: false, record: this.getNow(move.id) }
          : { applied: true, record: jobFromRow(created) };
      };
    });
  }

  progress(update: ProgressUpdate): Promise<boolean> {
    return this.write(`recording progress of job ${fieldText(update, "id")}`, () => {
      checkProgress(update);
      const { id, attempt, percent, at } = update;
      return () => this.run("progress", { id, attempt, percent, at, message: update.message ?? null }) === 1;
    });
  }

  get(id: string): Promise<JobRecord | undefined> {
    return this.read(`reading job ${String(id)}`, () => {
      checkQueryText({ id }, false);
      return this.getNow(id);
    });
  }

  list(query: JobQuery = {}): Promise<JobPage> {
    return this.read("listing jobs", () => {
      const { limit, after } = checkedQuery(query);
      checkQueryText({ service: query.service, method: query.method }, true);
      const shape = filterShape(query, after !== undefined);
      const statement = this.shapedStatement(`list:${shape}`, () => listSql(this.tables.jobs, shape));
      const rows = statement.all({ ...filterParameters(query), after: after ?? null, limit: limit + 1 });
      return pageOf(rows.map(jobFromRow), limit);
    });
  }

  counts(filter: Pick<JobQuery, "service" | "method"> = {}): Promise<JobCounts> {
    return this.read("counting jobs", () => {
      const query = { service: filter.service, method: filter.method };
      checkQueryText(query, true);
      const shape = filterShape(query, false);
      const statement = this.shapedStatement(`counts:${shape}`, () => countsSql(this.tables.jobs, shape));
      const counts = Object.fromEntries(JOB_STATES.map((state) => [state, 0])) as Record<JobState, number>;
      for (const row of statement.all(filterParameters(query))) {
        const state = row["state"];
        if (typeof state === "string" && Object.hasOwn(counts, state)) counts[state as JobState] = Number(row["count"]);
      }
      return counts;
    });
  }

  heartbeat(worker: WorkerRecord): Promise<void> {
    return this.write(`recording the heartbeat of worker ${fieldText(worker, "workerId")}`, () => {
      checkWorker(worker);
      const parameters = workerParameters(worker);
      return () => {
        this.run("heartbeat", parameters);
      };
    });
  }

  workers(): Promise<readonly WorkerRecord[]> {
    return this.read("listing workers", () => this.fixed.workers.all().map(workerFromRow));
  }

  acquireLease(claim: LeaseClaim): Promise<Lease | undefined> {
    return this.write(`acquiring lease ${fieldText(claim, "name")}`, () => {
      checkClaim(claim);
      const { name, holder, now } = claim;
      return () => {
        const parameters = { name, holder, now, expiresAt: now + claim.ttlMs };
        const row = this.fixed.acquireLease.get(parameters);
        return row === undefined ? undefined : leaseFromRow(row);
      };
    });
  }

  releaseLease(name: string, holder: string, token: number): Promise<boolean> {
    return this.write(`releasing lease ${name}`, () => {
      if (typeof name !== "string" || typeof holder !== "string" || !Number.isSafeInteger(token)) return () => false;
      return () => this.run("releaseLease", { name, holder, token }) === 1;
    });
  }

  lease(name: string): Promise<Lease | undefined> {
    return this.read(`reading lease ${String(name)}`, () => {
      checkQueryText({ name }, false);
      const row = this.fixed.lease.get({ name });
      return row === undefined ? undefined : leaseFromRow(row);
    });
  }

  recordScalerEvent(event: ScalerEvent): Promise<boolean> {
    return this.write(`recording scaler event ${fieldText(event, "id")}`, () => {
      checkScalerEvent(event);
      return () => this.scalerEventTable.record(event);
    });
  }

  scalerEvents(query?: ScalerEventQuery): Promise<readonly ScalerEvent[]> {
    return this.read("listing scaler events", () => this.scalerEventTable.list(checkedScalerEventQuery(query)));
  }

  scrub(options: ScrubOptions): Promise<ScrubResult> {
    return this.write("scrubbing old records", () => {
      checkScrub(options);
      const { jobsFinishedBefore, workersSeenBefore, scalerEventsBefore } = options;
      return () => ({
        jobs: this.run("scrubJobs", { before: jobsFinishedBefore }),
        workers: this.run("scrubWorkers", { before: workersSeenBefore }),
        scalerEvents: scalerEventsBefore === undefined ? 0 : this.scalerEventTable.scrub(scalerEventsBefore),
      });
    });
  }

  close(): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.closed = true;
    try {
      this.group.flush();
      this.checkpoints.detach();
      this.database.close();
    } catch (error) {
      this.options.logger.warn({ err: error }, "SQLite status store: closing the database failed");
    }
    return Promise.resolve();
  }

  /**
   * Checks the call (`prepare`, which may throw a StatusStoreError) and queues its SQL (the work it returns) in
   * the next transaction group.
   */
  private write<T>(doing: string, prepare: () => () => T): Promise<T> {
    if (this.closed) return Promise.reject(closedError());
    try {
      return this.group.write(doing, prepare());
    } catch (error) {
      return Promise.reject(toSqliteStoreError(error, doing));
    }
  }

  /** Runs a read now, or behind the writes already waiting so that it sees them. */
  private read<T>(doing: string, work: () => T): Promise<T> {
    if (this.closed) return Promise.reject(closedError());
    if (this.group.busy) return this.group.write(doing, work);
    try {
      return Promise.resolve(work());
    } catch (error) {
      return Promise.reject(toSqliteStoreError(error, doing));
    }
  }

  private getNow(id: string): JobRecord | undefined {
    const row: Row | undefined = this.fixed.get.get({ id });
    return row === undefined ? undefined : jobFromRow(row);
  }

  /** Runs a fixed statement; returns how many rows it changed. */
  private run(name: FixedStatement, parameters: Parameters): number {
    return this.fixed[name].run(parameters);
  }

  private shapedStatement(key: string, sql: () => string): PositionalStatement {
    let statement = this.shaped.get(key);
    if (statement === undefined) this.shaped.set(key, (statement = new PositionalStatement(this.database, sql())));
    return statement;
  }
}

function closedError(): StatusStoreError {
  return new StatusStoreError("STORE_CLOSED", "the SQLite status store is closed");
}
