/**
 * Finds a PostgreSQL server for the status store tests (`DATABASE_URL`, else postgres@127.0.0.1:5432/test), gives
 * each store a fresh schema and drops the schemas once the file is done. Without a server the tests fail under CI
 * and are skipped (saying why) elsewhere.
 */
import { randomBytes } from "node:crypto";
import pg from "pg";
import { afterAll, describe, it } from "vitest";

/** The server the tests use. */
export const POSTGRES_URL = process.env["DATABASE_URL"] || "postgres://postgres@127.0.0.1:5432/test";

/** Whether this run is CI, where a missing server must fail the tests rather than skip them. */
function underCi(): boolean {
  const value = process.env["CI"];
  return value !== undefined && value !== "" && value !== "0" && value !== "false";
}

/** Why there is no server, or undefined when one answers. */
export async function postgresUnavailable(): Promise<string | undefined> {
  const client = new pg.Client({ connectionString: POSTGRES_URL, connectionTimeoutMillis: 3000 });
  client.on("error", () => undefined);
  try {
    await client.connect();
    await client.query("SELECT 1");
    return undefined;
  } catch (error) {
    return `no PostgreSQL at ${POSTGRES_URL.replace(/:[^:@/]*@/, ":***@")} (${error instanceof Error ? error.message : String(error)})`;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Fresh schema names for one test file, dropped (with everything in them) when the file is done. */
export class TestSchemas {
  readonly #names: string[] = [];

  /** A schema name no other test uses. */
  fresh(): string {
    const name = `tq_test_${randomBytes(6).toString("hex")}`;
    this.#names.push(name);
    return name;
  }

  /** A store URL on the test server with a fresh schema and these extra query parameters. */
  url(params: Record<string, string> = {}): string {
    const url = new URL(POSTGRES_URL);
    url.searchParams.set("schema", this.fresh());
    for (const [key, value] of Object.entries(params)) url.searchParams.set(key, value);
    return url.toString();
  }

  /** Drops every schema handed out. */
  async dropAll(): Promise<void> {
    if (this.#names.length === 0) return;
    const client = new pg.Client({ connectionString: POSTGRES_URL });
    await client.connect();
    try {
      for (const name of this.#names.splice(0)) await client.query(`DROP SCHEMA IF EXISTS "${name}" CASCADE`);
    } finally {
      await client.end();
    }
  }
}

/** Runs `suite` when a server answers; fails under CI and skips elsewhere when none does. */
export function withPostgres(
  name: string,
  unavailable: string | undefined,
  suite: (schemas: TestSchemas) => void,
): void {
  if (unavailable === undefined) {
    const schemas = new TestSchemas();
    afterAll(() => schemas.dropAll());
    suite(schemas);
    return;
  }
  if (underCi()) {
    describe(name, () => {
      it("needs a PostgreSQL server under CI", () => {
        throw new Error(`${unavailable}: start PostgreSQL or set DATABASE_URL`);
      });
    });
    return;
  }
  describe.skip(`${name} (skipped: ${unavailable})`, () => {
    it("needs a PostgreSQL server", () => undefined);
  });
}

/** A raw client on the test server, for acting behind a store's back. */
export async function rawPostgres(): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: POSTGRES_URL });
  client.on("error", () => undefined);
  await client.connect();
  return client;
}
