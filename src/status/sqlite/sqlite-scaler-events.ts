/**
 * The SQLite store's scaler events: the table's statements and the work the store runs in its transactions. The
 * fenced record is one `INSERT … SELECT … WHERE EXISTS (the lease row with this holder and token)`, so the lease
 * check and the insert are one statement inside the store's `BEGIN IMMEDIATE` group: no process can take the
 * lease in between.
 */
import type { DatabaseSync, SQLInputValue, StatementSync } from "node:sqlite";
import type { CheckedScalerEventQuery } from "../status-checks.ts";
import { SCALER_EVENT_COLUMNS, scalerEventFromRow, scalerEventValues } from "../scaler-event-rows.ts";
import type { ScalerEvent } from "../status-store.ts";

/** The DDL of the scaler events table (run on every open: an older file gains the table). */
export function scalerEventsTableSql(table: string): string {
  // A rowid table, not WITHOUT ROWID: rows carry up to 64 KiB of policy memory.
  return `
  CREATE TABLE IF NOT EXISTS ${table} (
    id TEXT PRIMARY KEY NOT NULL,
    lease TEXT NOT NULL,
    scaler_id TEXT NOT NULL,
    fencing_token INTEGER NOT NULL,
    kind TEXT NOT NULL,
    at REAL NOT NULL,
    reason TEXT NOT NULL,
    desired INTEGER,
    instance_ids TEXT,
    memory TEXT
  );
  CREATE INDEX IF NOT EXISTS ${table}_by_lease ON ${table} (lease, id);
  CREATE INDEX IF NOT EXISTS ${table}_by_at ON ${table} (at);
`;
}

/** The statements of one connection on the scaler events table. */
export class SqliteScalerEvents {
  private readonly database: DatabaseSync;
  private readonly table: string;
  private readonly insert: StatementSync;
  private readonly fenceHolds: StatementSync;
  private readonly scrubStatement: StatementSync;
  private readonly lists = new Map<string, StatementSync>();

  /** Prepares the statements on `events` fenced by `leases` (both names already checked identifiers). */
  constructor(database: DatabaseSync, events: string, leases: string) {
    this.database = database;
    this.table = events;
    const fence = `SELECT 1 FROM ${leases} WHERE name = ? AND holder = ? AND token = ?`;
    const placeholders = SCALER_EVENT_COLUMNS.map(() => "?").join(", ");
    // The WHERE clause also keeps SQLite from reading ON CONFLICT as part of the SELECT.
    this.insert = database.prepare(
      `INSERT INTO ${events} (${SCALER_EVENT_COLUMNS.join(", ")}) SELECT ${placeholders} WHERE EXISTS (${fence}) ` +
        "ON CONFLICT (id) DO NOTHING",
    );
    this.fenceHolds = database.prepare(`SELECT EXISTS (${fence}) AS held`);
    this.scrubStatement = database.prepare(`DELETE FROM ${events} WHERE at < ?`);
  }

  /** Inserts `event` (checked) if the fence holds; runs inside a write transaction. Returns whether it holds. */
  record(event: ScalerEvent): boolean {
    const fence = [event.lease, event.scalerId, event.fencingToken];
    if (Number(this.insert.run(...scalerEventValues(event), ...fence).changes) === 1) return true;
    // Nothing inserted: either the fence failed or the id was already there (a retried call).
    return Number(this.fenceHolds.get(...fence)?.["held"]) === 1;
  }

  /** The events matching a checked query, newest id first. */
  list(query: CheckedScalerEventQuery): ScalerEvent[] {
    if (query.kinds?.length === 0) return [];
    const conditions: string[] = [];
    const values: SQLInputValue[] = [];
    if (query.lease !== undefined) {
      conditions.push("lease = ?");
      values.push(query.lease);
    }
    if (query.before !== undefined) {
      conditions.push("id < ?");
      values.push(query.before);
    }
    if (query.kinds !== undefined) {
      conditions.push("kind IN (SELECT value FROM json_each(?))");
      values.push(JSON.stringify(query.kinds));
    }
    const statement = this.listStatement(conditions);
    return statement.all(...values, query.limit).map(scalerEventFromRow);
  }

  /** Deletes the events whose `at` is before `before`; returns how many went. */
  scrub(before: number): number {
    return Number(this.scrubStatement.run(before).changes);
  }

  private listStatement(conditions: readonly string[]): StatementSync {
    const where = conditions.length === 0 ? "" : `WHERE ${conditions.join(" AND ")} `;
    let statement = this.lists.get(where);
    if (statement === undefined) {
      const sql = `SELECT ${SCALER_EVENT_COLUMNS.join(", ")} FROM ${this.table} ${where}ORDER BY id DESC LIMIT ?`;
      this.lists.set(where, (statement = this.database.prepare(sql)));
    }
    return statement;
  }
}
