/**
 * The PostgreSQL store's statements for scaler events. The fenced record is one statement: a CTE locks the lease
 * row `FOR SHARE` when it has this holder and token, and the insert runs only if it found it. A concurrent take of
 * the lease (an UPDATE of that row) then waits for the insert to commit, or the insert, having waited for the take,
 * sees the new holder and inserts nothing — never an event recorded after the lease changed hands.
 */
import type { QueryConfig } from "pg";
import { StatusStoreError } from "../../errors.ts";
import { SCALER_EVENT_COLUMNS, scalerEventValues } from "../scaler-event-rows.ts";
import type { CheckedScalerEventQuery } from "../status-checks.ts";
import type { ScalerEvent } from "../status-store.ts";
import type { PostgresTables } from "./postgres-schema.ts";

/** The parameter types of the columns, in {@link SCALER_EVENT_COLUMNS} order. */
const COLUMN_TYPES = ["text", "text", "text", "bigint", "text", "double precision", "text", "bigint", "text", "text"];

/** The DDL of the scaler events table and its indexes (`index` names an index under the store's prefix). */
export function scalerEventsDdl(table: string, index: (name: string) => string): string[] {
  return [
    `CREATE TABLE IF NOT EXISTS ${table} (
      id text COLLATE "C" PRIMARY KEY,
      lease text NOT NULL,
      scaler_id text NOT NULL,
      fencing_token bigint NOT NULL,
      kind text NOT NULL,
      at double precision NOT NULL,
      reason text NOT NULL,
      desired bigint,
      instance_ids text,
      memory text
    )`,
    `CREATE INDEX IF NOT EXISTS ${index("scaler_events_lease_id")} ON ${table} (lease, id)`,
    `CREATE INDEX IF NOT EXISTS ${index("scaler_events_at")} ON ${table} (at)`,
  ];
}

/** The fenced insert of a checked event; its one row says whether the fence `held`. */
export function recordScalerEventQuery(tables: PostgresTables, event: ScalerEvent): QueryConfig {
  const values = scalerEventValues(event);
  const parameters = COLUMN_TYPES.map((type, i) => `$${i + 1}::${type}`).join(", ");
  // $2, $3 and $4 are the event's lease, scaler id and token: the fence reuses them.
  return {
    name: "tq_record_scaler_event",
    text:
      `WITH fence AS (SELECT 1 FROM ${tables.leases} WHERE name = $2::text AND holder = $3::text ` +
      "AND token = $4::bigint FOR SHARE), " +
      `inserted AS (INSERT INTO ${tables.scalerEvents} (${SCALER_EVENT_COLUMNS.join(", ")}) ` +
      `SELECT ${parameters} WHERE EXISTS (SELECT 1 FROM fence) ON CONFLICT (id) DO NOTHING RETURNING 1) ` +
      "SELECT EXISTS (SELECT 1 FROM fence) AS held, (SELECT count(*) FROM inserted) AS inserted",
    values,
  };
}

/** The listing of a checked query (with at least one kind, when kinds are given), newest id first. */
export function scalerEventsQuery(tables: PostgresTables, query: CheckedScalerEventQuery): QueryConfig {
  const conditions: string[] = [];
  const values: unknown[] = [];
  const bind = (value: unknown, type: string): string => `$${values.push(value)}::${type}`;
  if (query.lease !== undefined) conditions.push(`lease = ${bind(query.lease, "text")}`);
  if (query.before !== undefined) conditions.push(`id < ${bind(query.before, "text")}`);
  if (query.kinds !== undefined) conditions.push(`kind = ANY(${bind([...query.kinds], "text[]")})`);
  const where = conditions.length === 0 ? "" : `WHERE ${conditions.join(" AND ")} `;
  return {
    text:
      `SELECT ${SCALER_EVENT_COLUMNS.join(", ")} FROM ${tables.scalerEvents} ${where}` +
      `ORDER BY id DESC LIMIT ${bind(query.limit, "integer")}`,
    values,
  };
}

/** Deletes events whose `at` is before `before` (±Infinity allowed); STORE_INVALID_QUERY for a non-time. */
export function scrubScalerEventsQuery(tables: PostgresTables, before: number): QueryConfig {
  if (typeof before !== "number" || Number.isNaN(before)) {
    throw new StatusStoreError("STORE_INVALID_QUERY", "scrub: scalerEventsBefore must be a time in ms");
  }
  return {
    name: "tq_scrub_scaler_events",
    text: `DELETE FROM ${tables.scalerEvents} WHERE at < $1::double precision`,
    values: [before],
  };
}
