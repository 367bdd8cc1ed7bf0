/**
 * The PostgreSQL status store: several workers, producers and the status API share one database. Every write is
 * one statement that PostgreSQL applies atomically (see postgres-transition.ts for transitions); nothing is read
 * in the client and then written back. Each call is one round trip on a pooled connection, except a transition
 * that lost a race with a concurrent writer, which reads the row once more.
 */
import pg from "pg";
import type { QueryConfig, QueryResult, QueryResultRow } from "pg";
import { StatusStoreError } from "../../errors.ts";
import { silentLogger, type Logger } from "../../logger.ts";
import { pageOf } from "../query-page.ts";
import type { OpenStatusStoreOptions, StatusStoreOpener } from "../open-status-store.ts";
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
import { checkedScalerEventQuery, checkScalerEvent } from "../status-checks.ts";
import { scalerEventFromRow, type ScalerEventRow } from "../scaler-event-rows.ts";
import { toPostgresStoreError } from "./postgres-errors.ts";
import { recordScalerEventQuery, scalerEventsQuery, scrubScalerEventsQuery } from "./postgres-scaler-events.ts";
import { countsFromRows, countsQuery, enqueuedQuery, listQuery, progressQuery } from "./postgres-job-queries.ts";
import {
  JOB_COLUMNS,
  jobFromRow,
  leaseFromRow,
  workerFromRow,
  type JobRow,
  type LeaseRow,
  type WorkerRow,
} from "./postgres-rows.ts";
import { migratePostgresSchema, missingTables, postgresTables, type PostgresTables } from "./postgres-schema.ts";
import { postgresSettingsFromUrl, type PostgresStatusStoreSettings } from "./postgres-settings.ts";
import { checkTransition, transitionQuery, type TransitionRow } from "./postgres-transition.ts";
import { acquireLeaseQuery, heartbeatQuery, releaseLeaseQuery, scrubQuery } from "./postgres-worker-queries.ts";
import { TransitionBatcher, type BatchTransitionRow } from "./postgres-transition-batch.ts";

/** Options of {@link PostgresStatusStore.open} that do not fit in a URL. */
export interface PostgresStatusStoreOptions extends OpenStatusStoreOptions {
  /** Where `postgres:` without a host finds DATABASE_URL. @defaultValue process.env */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/** Moves in one batch statement at most. */
const MAX_TRANSITION_BATCH = 500;

/** A {@link StatusStore} on PostgreSQL (`postgres://…` URLs). */
export class PostgresStatusStore implements StatusStore {
  /** The store family. */
  readonly kind = "postgres";
  readonly #pool: pg.Pool;
  readonly #tables: PostgresTables;
  readonly #batcher: TransitionBatcher | undefined;
  #closing: Promise<void> | undefined;

  private constructor(pool: pg.Pool, tables: PostgresTables, settings: PostgresStatusStoreSettings) {
    this.#pool = pool;
    this.#tables = tables;
    this.#batcher = settings.batchTransitions
      ? new TransitionBatcher({
          jobs: tables.jobs,
          maxInFlight: settings.poolSize,
          maxBatch: MAX_TRANSITION_BATCH,
          execute: async (query) => (await this.#run<BatchTransitionRow>("moving jobs", query)).rows,
          single: (move) => this.#transitionAlone(move),
          reread: (id) => this.get(id),
        })
      : undefined;
  }

  /**
   * Connects, creates missing tables and indexes (unless `migrate=false`) and returns the store. Rejects with
   * ConfigError for a bad URL and StatusStoreError (`STORE_UNAVAILABLE` when the server cannot be reached).
   */
  static async open(url: string | URL, options: PostgresStatusStoreOptions = {}): Promise<PostgresStatusStore> {
    const settings = postgresSettingsFromUrl(typeof url === "string" ? new URL(url) : url, options.env);
    const pool = createPool(settings, options.logger ?? silentLogger);
    try {
      if (settings.migrate) await migratePostgresSchema(pool, settings.schema, settings.tablePrefix);
      else await requireTables(pool, settings);
    } catch (error) {
      await pool.end().catch(() => undefined);
      throw toPostgresStoreError(error, `opening ${settings.schema}.${settings.tablePrefix}*`);
    }
    return new PostgresStatusStore(pool, postgresTables(settings.schema, settings.tablePrefix), settings);
  }

  async enqueued(jobs: readonly NewJob[]): Promise<number> {
    this.#checkOpen();
    if (jobs.length === 0) return 0;
    const result = await this.#run("recording queued jobs", enqueuedQuery(this.#tables.jobs, jobs));
    return result.rowCount ?? 0;
  }

  async transition(move: JobTransition): Promise<TransitionOutcome> {
    this.#checkOpen();
    checkTransition(move);
    return this.#batcher === undefined ? this.#transitionAlone(move) : this.#batcher.submit(move);
  }

  /** One move, one statement (and a second read when it lost a race with a concurrent writer). */
  async #transitionAlone(move: JobTransition): Promise<TransitionOutcome> {
    const { rows } = await this.#run<TransitionRow>(
      `moving ${move.id} to ${move.to}`,
      transitionQuery(this.#tables.jobs, move),
    );
    const row = rows[0];
    if (row !== undefined && (row.applied || !row.stale)) return { applied: row.applied, record: jobFromRow(row) };
    if (row === undefined && move.create === undefined) return { applied: false, record: undefined };
    // A concurrent writer moved (or created) the row after this statement's snapshot: read it as it is now.
    return { applied: false, record: await this.get(move.id) };
  }

  async progress(update: ProgressUpdate): Promise<boolean> {
    this.#checkOpen();
    const result = await this.#run(`recording progress of ${update.id}`, progressQuery(this.#tables.jobs, update));
    return (result.rowCount ?? 0) > 0;
  }

  async get(id: string): Promise<JobRecord | undefined> {
    const { rows } = await this.#run<JobRow>(`reading ${id}`, {
      name: "tq_get",
      text: `SELECT ${JOB_COLUMNS} FROM ${this.#tables.jobs} WHERE id = $1::text`,
      values: [id],
    });
    return rows[0] === undefined ? undefined : jobFromRow(rows[0]);
  }

  async list(query: JobQuery = {}): Promise<JobPage> {
    this.#checkOpen();
    const { limit, ...statement } = listQuery(this.#tables.jobs, query);
    const { rows } = await this.#run<JobRow>("listing jobs", statement);
    return pageOf(rows.map(jobFromRow), limit);
  }

  async counts(filter: Pick<JobQuery, "service" | "method"> = {}): Promise<JobCounts> {
    this.#checkOpen();
    const { rows } = await this.#run<{ state: string; count: string }>(
      "counting jobs",
      countsQuery(this.#tables.jobs, filter),
    );
    return countsFromRows(rows);
  }

  async heartbeat(worker: WorkerRecord): Promise<void> {
    this.#checkOpen();
    await this.#run(`recording the heartbeat of ${worker.workerId}`, heartbeatQuery(this.#tables.workers, worker));
  }

  async workers(): Promise<readonly WorkerRecord[]> {
    const { rows } = await this.#run<WorkerRow>("listing workers", {
      name: "tq_workers",
      text: `SELECT * FROM ${this.#tables.workers} ORDER BY last_seen_at DESC, worker_id`,
    });
    return rows.map(workerFromRow);
  }

  async acquireLease(claim: LeaseClaim): Promise<Lease | undefined> {
    this.#checkOpen();
    const query = acquireLeaseQuery(this.#tables.leases, claim);
    const { rows } = await this.#run<LeaseRow>(`acquiring lease ${claim.name}`, query);
    return rows[0] === undefined ? undefined : leaseFromRow(rows[0]);
  }

  async releaseLease(name: string, holder: string, token: number): Promise<boolean> {
    this.#checkOpen();
    if (!Number.isSafeInteger(token)) return false;
    const result = await this.#run(
      `releasing lease ${name}`,
      releaseLeaseQuery(this.#tables.leases, name, holder, token),
    );
    return (result.rowCount ?? 0) > 0;
  }

  async lease(name: string): Promise<Lease | undefined> {
    const { rows } = await this.#run<LeaseRow>(`reading lease ${name}`, {
      name: "tq_lease",
      text: `SELECT name, holder, token, expires_at FROM ${this.#tables.leases} WHERE name = $1::text`,
      values: [name],
    });
    return rows[0] === undefined ? undefined : leaseFromRow(rows[0]);
  }

  async recordScalerEvent(event: ScalerEvent): Promise<boolean> {
    this.#checkOpen();
    checkScalerEvent(event);
    const query = recordScalerEventQuery(this.#tables, event);
    const { rows } = await this.#run<{ held: boolean }>(`recording scaler event ${event.id}`, query);
    return rows[0]?.held === true;
  }

  async scalerEvents(query?: ScalerEventQuery): Promise<readonly ScalerEvent[]> {
    this.#checkOpen();
    const checked = checkedScalerEventQuery(query);
    if (checked.kinds?.length === 0) return [];
    const { rows } = await this.#run<ScalerEventRow>("listing scaler events", scalerEventsQuery(this.#tables, checked));
    return rows.map(scalerEventFromRow);
  }

  async scrub(options: ScrubOptions): Promise<ScrubResult> {
    this.#checkOpen();
    const before = options.scalerEventsBefore;
    const events = before === undefined ? undefined : scrubScalerEventsQuery(this.#tables, before);
    const [{ rows }, removed] = await Promise.all([
      this.#run<{ jobs: string; workers: string }>("scrubbing", scrubQuery(this.#tables, options)),
      events === undefined ? undefined : this.#run("scrubbing scaler events", events),
    ]);
    return {
      jobs: Number(rows[0]?.jobs ?? 0),
      workers: Number(rows[0]?.workers ?? 0),
      scalerEvents: removed?.rowCount ?? 0,
    };
  }

  /** Ends the pool once the calls in flight are done; idempotent. */
  async close(): Promise<void> {
    this.#closing ??= this.#pool.end().catch(() => undefined);
    await this.#closing;
  }

  #checkOpen(): void {
    if (this.#closing !== undefined)
      throw new StatusStoreError("STORE_CLOSED", "the PostgreSQL status store is closed");
  }

  async #run<R extends QueryResultRow>(doing: string, query: QueryConfig): Promise<QueryResult<R>> {
    this.#checkOpen();
    try {
      return await this.#pool.query<R>(query);
    } catch (error) {
      this.#checkOpen();
      throw toPostgresStoreError(error, doing);
    }
  }
}

/** The opener `openStatusStore` uses for `postgres:` and `postgresql:` URLs. */
export const openPostgresStatusStore: StatusStoreOpener = (url, options) => PostgresStatusStore.open(url, options);

function createPool(settings: PostgresStatusStoreSettings, logger: Logger): pg.Pool {
  const pool = new pg.Pool({
    connectionString: settings.connectionString,
    max: settings.poolSize,
    connectionTimeoutMillis: settings.connectTimeoutMs,
    idleTimeoutMillis: settings.idleTimeoutMs,
    application_name: "thrift-queue",
  });
  // An idle connection the server drops (restart, failover) is reported here; without a listener it would crash
  // the process. The pool replaces it on the next call.
  pool.on("error", (error) => logger.warn({ err: error }, "PostgreSQL status store: an idle connection failed"));
  return pool;
}

async function requireTables(pool: pg.Pool, settings: PostgresStatusStoreSettings): Promise<void> {
  const missing = await missingTables(pool, postgresTables(settings.schema, settings.tablePrefix));
  if (missing.length > 0) {
    throw new StatusStoreError(
      "STORE_FAILED",
      `tables ${missing.join(", ")} are missing: open once with migrate=true (the default) by a role that may create them`,
    );
  }
}
