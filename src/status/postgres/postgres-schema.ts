/**
 * The PostgreSQL store's tables and indexes, and the migration that creates them on open. Migration is idempotent
 * (`IF NOT EXISTS`) and serialised by a transaction-scoped advisory lock, because concurrent `CREATE TABLE IF NOT
 * EXISTS` of one table can still fail on a catalog unique index; when every table is already there it runs no DDL
 * at all, so a role that may only read and write rows can open the store.
 */
import type { Pool } from "pg";
import { scalerEventsDdl } from "./postgres-scaler-events.ts";

/** Quoted, schema-qualified names of the store's tables. */
export interface PostgresTables {
  readonly schema: string;
  readonly jobs: string;
  readonly workers: string;
  readonly leases: string;
  readonly scalerEvents: string;
  /** Unquoted `<schema>.<prefix>`, for advisory lock keys and messages. */
  readonly label: string;
}

/** Quotes an identifier already checked to be letters, digits and `_`. */
export function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** The table names for a schema and prefix (both validated by the settings). */
export function postgresTables(schema: string, tablePrefix: string): PostgresTables {
  const table = (name: string): string => `${quoteIdentifier(schema)}.${quoteIdentifier(tablePrefix + name)}`;
  return {
    schema: quoteIdentifier(schema),
    jobs: table("jobs"),
    workers: table("workers"),
    leases: table("leases"),
    scalerEvents: table("scaler_events"),
    label: `${schema}.${tablePrefix}`,
  };
}

/** First key of the advisory lock that serialises migrations (the second is a hash of the tables' label). */
const MIGRATION_LOCK_CLASS = 0x74712d73; // "tq-s"

/** The DDL, in order. Index names are unqualified: PostgreSQL puts an index in its table's schema. */
function migrationStatements(tables: PostgresTables, tablePrefix: string): string[] {
  const index = (name: string): string => quoteIdentifier(`${tablePrefix}${name}`);
  return [
    `CREATE TABLE IF NOT EXISTS ${tables.jobs} (
      id text COLLATE "C" PRIMARY KEY,
      service text NOT NULL,
      method text NOT NULL,
      state text NOT NULL,
      attempt integer NOT NULL DEFAULT 0,
      progress double precision,
      progress_message text,
      worker_id text,
      queue text,
      enqueued_at bigint,
      started_at bigint,
      updated_at bigint NOT NULL,
      finished_at bigint,
      error_type text,
      error_message text,
      result bytea
    )`,
    `CREATE INDEX IF NOT EXISTS ${index("jobs_state_id")} ON ${tables.jobs} (state, id)`,
    `CREATE INDEX IF NOT EXISTS ${index("jobs_service_method_id")} ON ${tables.jobs} (service, method, id)`,
    `CREATE INDEX IF NOT EXISTS ${index("jobs_updated_at")} ON ${tables.jobs} (updated_at)`,
    `CREATE TABLE IF NOT EXISTS ${tables.workers} (
      worker_id text PRIMARY KEY,
      instance_id text NOT NULL,
      host text NOT NULL,
      pid integer NOT NULL,
      status text NOT NULL,
      queues text[] NOT NULL,
      started_at bigint NOT NULL,
      last_seen_at bigint NOT NULL,
      in_flight integer NOT NULL,
      processed bigint NOT NULL,
      failed bigint NOT NULL
    )`,
    `CREATE INDEX IF NOT EXISTS ${index("workers_last_seen_at")} ON ${tables.workers} (last_seen_at)`,
    `CREATE TABLE IF NOT EXISTS ${tables.leases} (
      name text PRIMARY KEY,
      holder text NOT NULL,
      token bigint NOT NULL,
      expires_at bigint NOT NULL
    )`,
    ...scalerEventsDdl(tables.scalerEvents, index),
  ].map((sql) => sql.replaceAll(/\s+/g, " "));
}

/**
 * The store's tables that do not exist yet (one round trip); none missing means open needs no DDL privilege. A
 * database of an earlier version lacks the tables added since (scaler events), so its first open migrates.
 */
export async function missingTables(pool: Pool, tables: PostgresTables): Promise<string[]> {
  const { rows } = await pool.query<{ missing: string[] | null }>(
    "SELECT array_agg(name) FILTER (WHERE to_regclass(name) IS NULL) AS missing FROM unnest($1::text[]) AS name",
    [[tables.jobs, tables.workers, tables.leases, tables.scalerEvents]],
  );
  return rows[0]?.missing ?? [];
}

/**
 * Creates the schema (only when missing: `CREATE SCHEMA IF NOT EXISTS` would still need the database's CREATE
 * privilege), the tables and the indexes, in one transaction under the advisory lock.
 */
export async function migratePostgresSchema(pool: Pool, schema: string, tablePrefix: string): Promise<void> {
  const tables = postgresTables(schema, tablePrefix);
  if ((await missingTables(pool, tables)).length === 0) return;
  const client = await pool.connect();
  let failure: Error | undefined;
  try {
    await client.query("BEGIN");
    await client.query("SELECT pg_advisory_xact_lock($1, hashtext($2))", [MIGRATION_LOCK_CLASS, tables.label]);
    const { rows } = await client.query<{ present: boolean }>(
      "SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = $1) AS present",
      [schema],
    );
    if (rows[0]?.present !== true) await client.query(`CREATE SCHEMA ${tables.schema}`);
    for (const sql of migrationStatements(tables, tablePrefix)) await client.query(sql);
    await client.query("COMMIT");
  } catch (error) {
    failure = error instanceof Error ? error : new Error(String(error));
    await client.query("ROLLBACK").catch(() => undefined);
    throw error;
  } finally {
    // A connection that failed mid-transaction is dropped rather than handed to the next caller.
    client.release(failure);
  }
}
