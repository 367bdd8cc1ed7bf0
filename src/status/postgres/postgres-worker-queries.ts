/**
 * The PostgreSQL store's statements for workers, leases and scrubbing: each one statement, values bound.
 */
import { StatusStoreError } from "../../errors.ts";
import { FINAL_STATES } from "../job-state.ts";
import type { LeaseClaim, ScrubOptions, WorkerRecord } from "../status-store.ts";
import type { PostgresTables } from "./postgres-schema.ts";
import type { PreparedQuery } from "./postgres-transition.ts";

const FINAL_STATE_LIST = [...FINAL_STATES];

/** Creates or replaces a worker's row; STORE_INVALID_RECORD for a record with non-integer counters or times. */
export function heartbeatQuery(workers: string, worker: WorkerRecord): PreparedQuery {
  // Records come from callers' code, so the check does not trust the declared types.
  const queues: unknown = worker.queues;
  const integers = [worker.pid, worker.startedAt, worker.lastSeenAt, worker.inFlight, worker.processed, worker.failed];
  if (
    typeof worker.workerId !== "string" ||
    !integers.every((value) => Number.isSafeInteger(value)) ||
    !Array.isArray(queues)
  ) {
    throw new StatusStoreError("STORE_INVALID_RECORD", `invalid worker record ${String(worker.workerId)}`);
  }
  return {
    name: "tq_heartbeat",
    text:
      `INSERT INTO ${workers} AS w (worker_id, instance_id, host, pid, status, queues, started_at, ` +
      "last_seen_at, in_flight, processed, failed) VALUES ($1::text, $2::text, $3::text, $4::integer, $5::text, " +
      "$6::text[], $7::bigint, $8::bigint, $9::integer, $10::bigint, $11::bigint) ON CONFLICT (worker_id) DO UPDATE " +
      "SET instance_id = EXCLUDED.instance_id, host = EXCLUDED.host, pid = EXCLUDED.pid, status = EXCLUDED.status, " +
      "queues = EXCLUDED.queues, started_at = EXCLUDED.started_at, last_seen_at = EXCLUDED.last_seen_at, " +
      "in_flight = EXCLUDED.in_flight, processed = EXCLUDED.processed, failed = EXCLUDED.failed",
    values: [
      worker.workerId,
      worker.instanceId,
      worker.host,
      worker.pid,
      worker.status,
      [...worker.queues],
      worker.startedAt,
      worker.lastSeenAt,
      worker.inFlight,
      worker.processed,
      worker.failed,
    ],
  };
}

/**
 * Takes or renews a lease in one upsert: the token grows when the holder changes or the lease had lapsed; a holder
 * renewing in time keeps it. Returns no row when someone else holds it.
 */
export function acquireLeaseQuery(leases: string, claim: LeaseClaim): PreparedQuery {
  if (!Number.isSafeInteger(claim.now) || !Number.isSafeInteger(claim.ttlMs) || claim.ttlMs < 0) {
    throw new StatusStoreError(
      "STORE_INVALID_RECORD",
      `invalid lease claim on ${String(claim.name)}: now and ttlMs must be integers`,
    );
  }
  return {
    name: "tq_acquire_lease",
    text:
      `INSERT INTO ${leases} AS l (name, holder, token, expires_at) ` +
      "VALUES ($1::text, $2::text, 1, $3::bigint + $4::bigint) ON CONFLICT (name) DO UPDATE SET " +
      "token = CASE WHEN l.holder = EXCLUDED.holder AND l.expires_at > $3::bigint THEN l.token ELSE l.token + 1 END, " +
      "holder = EXCLUDED.holder, expires_at = EXCLUDED.expires_at " +
      "WHERE l.holder = EXCLUDED.holder OR l.expires_at <= $3::bigint RETURNING name, holder, token, expires_at",
    values: [claim.name, claim.holder, claim.now, claim.ttlMs],
  };
}

/** Gives a lease up: the row stays, lapsed at time 0, so that the next holder's token is still greater. */
export function releaseLeaseQuery(leases: string, name: string, holder: string, token: number): PreparedQuery {
  return {
    name: "tq_release_lease",
    text: `UPDATE ${leases} SET expires_at = 0 WHERE name = $1::text AND holder = $2::text AND token = $3::bigint`,
    values: [name, holder, token],
  };
}

/** Both deletions of a scrub in one statement; returns the two counts. */
export function scrubQuery(tables: PostgresTables, options: ScrubOptions): PreparedQuery {
  return {
    name: "tq_scrub",
    text:
      `WITH j AS (DELETE FROM ${tables.jobs} WHERE state = ANY($1::text[]) AND updated_at < $2::bigint RETURNING 1), ` +
      `w AS (DELETE FROM ${tables.workers} WHERE last_seen_at < $3::bigint RETURNING 1) ` +
      "SELECT (SELECT count(*) FROM j) AS jobs, (SELECT count(*) FROM w) AS workers",
    values: [FINAL_STATE_LIST, wholeMs(options.jobsFinishedBefore), wholeMs(options.workersSeenBefore)],
  };
}

/** A time bound as a bigint parameter: `< wholeMs(t)` is `< t` for whole-ms times; NaN matches nothing. */
function wholeMs(time: number): number {
  if (Number.isNaN(time)) return Number.MIN_SAFE_INTEGER;
  return Math.min(Math.max(Math.ceil(time), Number.MIN_SAFE_INTEGER), Number.MAX_SAFE_INTEGER);
}
