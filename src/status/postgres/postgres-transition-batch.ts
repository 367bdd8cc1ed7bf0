/**
 * Batching of transitions: while {@link MAX_STATEMENTS_IN_FLIGHT} transition statements are under way, the moves
 * that arrive wait and then go to the server together, as one statement (one commit) instead of one each. A move
 * alone still goes at once, through the single-move statement of postgres-transition.ts, so batching adds no
 * latency when the store is not busy. The bound is below the pool size on purpose: a round trip costs the client
 * about as much CPU (socket writes, protocol) for one move as for a hundred, and the server about as much time, so
 * a busy worker is faster with a few large statements than with a pool's worth of small ones (the worker bench,
 * amqp+postgres: 0.67 transition statements per job with the pool's 10 in flight, 0.17 with 2, 0.09 with 1 — at
 * the same throughput as 2 within the noise of a shared machine, and 4 was slower).
 *
 * The batch statement is the single one made generic: the moves arrive as arrays (`unnest`), one `UPDATE … FROM`
 * applies every move whose row passes its guards (the guards of `transitionGuards`, written as a CASE on the
 * target state), one `INSERT … ON CONFLICT DO NOTHING` creates the rows of `create` moves absent from the
 * snapshot, and the rows of the moves that did not apply come back as the statement found them. A batch holds each
 * job id at most once (a later move of the same id waits for the next batch). The rare move the statement cannot
 * settle — its row was created or moved concurrently — is settled alone afterwards, like a single move would be.
 */
import { transitionGuards, type JobState } from "../job-state.ts";
import type { JobRecord, JobTransition, TransitionOutcome } from "../status-store.ts";
import { jobFromRow, JOB_COLUMNS } from "./postgres-rows.ts";
import {
  INSERT_COLUMNS,
  INSERT_TYPES,
  movedRowValues,
  qualified,
  type PreparedQuery,
  type TransitionRow,
} from "./postgres-transition.ts";

/** A row of the batch statement: a transition row and the position of its move in the batch. */
export interface BatchTransitionRow extends TransitionRow {
  readonly ord: number;
}

/** Transition statements under way at once at most (fewer when the pool is smaller). */
export const MAX_STATEMENTS_IN_FLIGHT = 1;

const TARGETS: readonly Exclude<JobState, "queued">[] = [
  "running",
  "retrying",
  "succeeded",
  "failed",
  "dead",
  "cancelled",
];

/**
 * The guards of every target state over the row `j` and the move `x`, derived from `transitionGuards` at attempt 1,
 * where a bound of 1 means "≤ the move's attempt", 0 means "< the move's attempt" and ∞ means "any attempt".
 */
function genericGuard(): string {
  const cases = TARGETS.map((to) => {
    const clauses = transitionGuards(to, 1).map(({ from, maxAttempt }) => {
      if (!Number.isFinite(maxAttempt)) return `j.state = '${from}'`;
      if (maxAttempt !== 0 && maxAttempt !== 1) throw new Error(`unexpected attempt bound ${maxAttempt} for ${to}`);
      return `(j.state = '${from}' AND j.attempt <= x.attempt${maxAttempt === 0 ? " - 1" : ""})`;
    });
    return `WHEN '${to}' THEN ${clauses.length === 0 ? "false" : clauses.join(" OR ")}`;
  });
  return `(CASE x.state ${cases.join(" ")} ELSE false END)`;
}

const GUARD = genericGuard();

/** The single statement's assignments, written for any target state (x holds the values the move writes). */
const GENERIC_ASSIGNMENTS = [
  "state = x.state",
  "updated_at = x.updated_at",
  "finished_at = x.finished_at",
  "attempt = CASE WHEN x.state = 'cancelled' THEN j.attempt ELSE x.attempt END",
  "worker_id = COALESCE(x.worker_id, j.worker_id)",
  "started_at = COALESCE(j.started_at, x.started_at)",
  "error_type = CASE WHEN x.state = 'succeeded' THEN NULL ELSE COALESCE(x.error_type, j.error_type) END",
  "error_message = CASE WHEN x.state = 'succeeded' THEN NULL WHEN x.error_type IS NULL THEN j.error_message " +
    "ELSE x.error_message END",
  "result = COALESCE(x.result, j.result)",
].join(", ");

/** The statement applying `moves` (checked, with distinct ids) to the jobs table `jobs`. */
export function batchTransitionQuery(jobs: string, moves: readonly JobTransition[]): PreparedQuery {
  const rows = moves.map(movedRowValues);
  const columns = INSERT_COLUMNS.map((_, index) => rows.map((row) => row[index]));
  const params = [...INSERT_TYPES, "boolean", "integer"].map((type, index) => `$${index + 1}::${type}[]`);
  const text = `WITH x AS (
      SELECT * FROM unnest(${params.join(", ")}) AS x(${INSERT_COLUMNS.join(", ")}, create_if_absent, ord)
    ), updated AS (
      UPDATE ${jobs} AS j SET ${GENERIC_ASSIGNMENTS} FROM x WHERE j.id = x.id AND ${GUARD}
      RETURNING x.ord, ${qualified("j")}
    ), inserted AS (
      INSERT INTO ${jobs} (${INSERT_COLUMNS.join(", ")})
      SELECT ${INSERT_COLUMNS.join(", ")} FROM x
      WHERE x.create_if_absent AND NOT EXISTS (SELECT 1 FROM ${jobs} AS k WHERE k.id = x.id)
      ON CONFLICT (id) DO NOTHING RETURNING ${JOB_COLUMNS}
    )
    SELECT ord, true AS applied, false AS stale, ${JOB_COLUMNS} FROM updated
    UNION ALL
    SELECT x.ord, true, false, ${qualified("i")} FROM inserted AS i JOIN x ON x.id = i.id
    UNION ALL
    SELECT x.ord, false, ${GUARD}, ${qualified("j")} FROM x JOIN ${jobs} AS j ON j.id = x.id
    WHERE NOT EXISTS (SELECT 1 FROM updated AS u WHERE u.ord = x.ord)`;
  return {
    name: "tq_transition_batch",
    text: text.replaceAll(/\s+/g, " "),
    values: [...columns, moves.map((move) => move.create !== undefined), moves.map((_, index) => index)],
  };
}

/** What the batcher needs from the store. */
export interface TransitionBatcherOptions {
  /** The quoted jobs table. */
  readonly jobs: string;
  /** Statements in flight at most (the pool size; {@link MAX_STATEMENTS_IN_FLIGHT} caps it); moves queue behind. */
  readonly maxInFlight: number;
  /** Moves in one statement at most. */
  readonly maxBatch: number;
  /** Runs a batch statement. */
  readonly execute: (query: PreparedQuery) => Promise<readonly BatchTransitionRow[]>;
  /** Applies one move with the single-move statement. */
  readonly single: (move: JobTransition) => Promise<TransitionOutcome>;
  /** Reads a job as it is now. */
  readonly reread: (id: string) => Promise<JobRecord | undefined>;
}

interface Pending {
  readonly move: JobTransition;
  readonly resolve: (outcome: TransitionOutcome) => void;
  readonly reject: (error: unknown) => void;
}

/** Sends moves alone while few statements are under way and in batches behind them otherwise. */
export class TransitionBatcher {
  readonly #options: TransitionBatcherOptions;
  #queue: Pending[] = [];
  #inFlight = 0;
  #scheduled = false;

  constructor(options: TransitionBatcherOptions) {
    this.#options = options;
  }

  /** Applies `move` (already checked) alone or with others; the outcome is the one a single move would have. */
  submit(move: JobTransition): Promise<TransitionOutcome> {
    return new Promise((resolve, reject) => {
      this.#queue.push({ move, resolve, reject });
      this.#schedule();
    });
  }

  /** Sends on the next microtask, so that moves made in one synchronous burst travel together. */
  #schedule(): void {
    if (this.#scheduled) return;
    this.#scheduled = true;
    queueMicrotask(() => {
      this.#scheduled = false;
      const most = Math.min(this.#options.maxInFlight, MAX_STATEMENTS_IN_FLIGHT);
      while (this.#inFlight < most && this.#queue.length > 0) this.#send(this.#takeBatch());
    });
  }

  /** Up to maxBatch moves of distinct ids, in arrival order; moves of an id already taken stay queued. */
  #takeBatch(): Pending[] {
    const batch: Pending[] = [];
    const rest: Pending[] = [];
    const ids = new Set<string>();
    for (const pending of this.#queue) {
      if (batch.length < this.#options.maxBatch && !ids.has(pending.move.id)) {
        ids.add(pending.move.id);
        batch.push(pending);
      } else {
        rest.push(pending);
      }
    }
    this.#queue = rest;
    return batch;
  }

  #send(batch: Pending[]): void {
    this.#inFlight += 1;
    void this.#settle(batch).finally(() => {
      this.#inFlight -= 1;
      if (this.#queue.length > 0) this.#schedule();
    });
  }

  async #settle(batch: readonly Pending[]): Promise<void> {
    const [first] = batch;
    if (batch.length === 1 && first !== undefined) {
      await this.#options.single(first.move).then(first.resolve, first.reject);
      return;
    }
    let rows: readonly BatchTransitionRow[];
    try {
      rows = await this.#options.execute(
        batchTransitionQuery(
          this.#options.jobs,
          batch.map(({ move }) => move),
        ),
      );
    } catch (error) {
      for (const pending of batch) pending.reject(error);
      return;
    }
    const byOrd = new Map(rows.map((row) => [row.ord, row]));
    await Promise.all(
      batch.map((pending, ord) => this.#outcome(pending.move, byOrd.get(ord)).then(pending.resolve, pending.reject)),
    );
  }

  /** A move's outcome from its row, as the single-move path decides it. */
  async #outcome(move: JobTransition, row: BatchTransitionRow | undefined): Promise<TransitionOutcome> {
    if (row !== undefined && (row.applied || !row.stale)) return { applied: row.applied, record: jobFromRow(row) };
    if (row !== undefined) return { applied: false, record: await this.#options.reread(move.id) };
    // No row as the statement found it: unknown, or created by someone else meanwhile (then the move may apply).
    return move.create === undefined ? { applied: false, record: undefined } : this.#options.single(move);
  }
}
