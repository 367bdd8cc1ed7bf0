/**
 * Settings of the PostgreSQL status store, read from its URL (our own query parameters are taken out before the
 * rest goes to `pg`), their defaults (applied here only) and their validation.
 *
 *   postgres://user:pass@host:5432/db?schema=jobs&tablePrefix=tq_&poolSize=10
 *   postgres:?schema=jobs        (no host: the connection comes from DATABASE_URL)
 */
import process from "node:process";
import { ConfigError } from "../../errors.ts";

/** Options of the PostgreSQL status store, as URL query parameters. */
export interface PostgresStatusStoreSettings {
  /** The libpq-style connection string given to `pg`, without the parameters below. */
  readonly connectionString: string;
  /** The schema holding the tables; created on open when missing. @defaultValue "public" */
  readonly schema: string;
  /** Prefix of the table names (`<prefix>jobs`, `<prefix>workers`, `<prefix>leases`). @defaultValue "tq_" */
  readonly tablePrefix: string;
  /** Connections in the pool. @defaultValue 10 */
  readonly poolSize: number;
  /** How long opening a connection may take before the call fails with STORE_UNAVAILABLE, in ms. @defaultValue 5000 */
  readonly connectTimeoutMs: number;
  /** How long an idle pooled connection is kept, in ms. @defaultValue 30000 */
  readonly idleTimeoutMs: number;
  /** Whether open creates missing tables and indexes (`false` for a role that may only read and write rows). @defaultValue true */
  readonly migrate: boolean;
  /**
   * Whether transitions that arrive while every connection is busy go to the server together, one statement for
   * many (see postgres-transition-batch.ts). @defaultValue true
   */
  readonly batchTransitions: boolean;
}

const DEFAULTS = {
  schema: "public",
  tablePrefix: "tq_",
  poolSize: 10,
  connectTimeoutMs: 5_000,
  idleTimeoutMs: 30_000,
  migrate: true,
  batchTransitions: true,
} as const;

/** The query parameters this store reads itself (everything else is `pg`'s). */
const OWN_PARAMS = [
  "schema",
  "tablePrefix",
  "poolSize",
  "connectTimeoutMs",
  "idleTimeoutMs",
  "migrate",
  "batchTransitions",
] as const;

/** An unquoted-safe SQL identifier: what schema names and table prefixes may be. */
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** PostgreSQL truncates identifiers past 63 bytes; the longest table name adds "workers" to the prefix. */
const MAX_IDENTIFIER = 63;
const LONGEST_TABLE_SUFFIX = "workers".length;

/** Reads the settings from a `postgres:`/`postgresql:` URL; throws one ConfigError naming every bad field. */
export function postgresSettingsFromUrl(
  url: URL,
  env: Readonly<Record<string, string | undefined>> = process.env,
): PostgresStatusStoreSettings {
  const base = connectionBase(url, env);
  const problems: string[] = [];
  const schema = url.searchParams.get("schema") ?? DEFAULTS.schema;
  const tablePrefix = url.searchParams.get("tablePrefix") ?? DEFAULTS.tablePrefix;
  if (!IDENTIFIER.test(schema) || schema.length > MAX_IDENTIFIER) {
    problems.push(`schema must be letters, digits and _ (not starting with a digit), at most ${MAX_IDENTIFIER}`);
  }
  if (
    tablePrefix !== "" &&
    (!IDENTIFIER.test(tablePrefix) || tablePrefix.length > MAX_IDENTIFIER - LONGEST_TABLE_SUFFIX)
  ) {
    problems.push(
      `tablePrefix must be letters, digits and _ (not starting with a digit), at most ${MAX_IDENTIFIER - LONGEST_TABLE_SUFFIX}`,
    );
  }
  const integer = (name: string, fallback: number, min: number, max: number): number => {
    const text = url.searchParams.get(name);
    if (text === null) return fallback;
    const value = Number(text);
    if (text.trim() === "" || !Number.isInteger(value) || value < min || value > max) {
      problems.push(`${name} must be an integer from ${min} to ${max}, got ${JSON.stringify(text)}`);
    }
    return value;
  };
  const poolSize = integer("poolSize", DEFAULTS.poolSize, 1, 1000);
  const connectTimeoutMs = integer("connectTimeoutMs", DEFAULTS.connectTimeoutMs, 1, 600_000);
  const idleTimeoutMs = integer("idleTimeoutMs", DEFAULTS.idleTimeoutMs, 0, 86_400_000);
  const flag = (name: string, fallback: boolean): boolean => {
    const text = url.searchParams.get(name);
    if (text === null) return fallback;
    if (text !== "true" && text !== "false")
      problems.push(`${name} must be true or false, got ${JSON.stringify(text)}`);
    return text === "true";
  };
  const migrate = flag("migrate", DEFAULTS.migrate);
  const batchTransitions = flag("batchTransitions", DEFAULTS.batchTransitions);
  if (problems.length > 0) {
    throw new ConfigError("CONFIG_INVALID", `invalid PostgreSQL status store URL: ${problems.join("; ")}`);
  }
  for (const [key, value] of url.searchParams) {
    if (!(OWN_PARAMS as readonly string[]).includes(key)) base.searchParams.set(key, value);
  }
  return {
    connectionString: base.toString(),
    schema,
    tablePrefix,
    poolSize,
    connectTimeoutMs,
    idleTimeoutMs,
    migrate,
    batchTransitions,
  };
}

/** The URL to connect to, without query parameters: the given one, or DATABASE_URL when it names no host. */
function connectionBase(url: URL, env: Readonly<Record<string, string | undefined>>): URL {
  if (url.host !== "" || url.pathname.replace(/^\/+/, "") !== "") {
    const base = new URL(url.toString());
    base.search = "";
    return base;
  }
  const fromEnvironment = env["DATABASE_URL"];
  if (fromEnvironment === undefined || fromEnvironment === "") {
    throw new ConfigError("CONFIG_INVALID", "postgres: without a host needs DATABASE_URL to be set");
  }
  try {
    return new URL(fromEnvironment);
  } catch {
    throw new ConfigError("CONFIG_INVALID", "DATABASE_URL is not a URL");
  }
}
