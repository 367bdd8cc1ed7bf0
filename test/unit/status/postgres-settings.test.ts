/** PostgreSQL status store settings from URLs, and the mapping of driver errors (no server needed). */
import { describe, expect, it } from "vitest";
import { ConfigError, StatusStoreError } from "thrift-queue";
import { toPostgresStoreError } from "../../../src/status/postgres/postgres-errors.ts";
import { postgresSettingsFromUrl } from "../../../src/status/postgres/postgres-settings.ts";

describe("postgresSettingsFromUrl", () => {
  it("applies the defaults and passes the connection through without our parameters", () => {
    const settings = postgresSettingsFromUrl(new URL("postgres://u:p@db.example:5433/jobs?sslmode=require&schema=s1"));
    expect(settings).toEqual({
      connectionString: "postgres://u:p@db.example:5433/jobs?sslmode=require",
      schema: "s1",
      tablePrefix: "tq_",
      poolSize: 10,
      connectTimeoutMs: 5000,
      idleTimeoutMs: 30000,
      migrate: true,
      batchTransitions: true,
    });
  });

  it("reads every option", () => {
    const url =
      "postgresql://h/db?tablePrefix=&poolSize=3&connectTimeoutMs=100&idleTimeoutMs=0&migrate=false&batchTransitions=false";
    expect(postgresSettingsFromUrl(new URL(url))).toMatchObject({
      connectionString: "postgresql://h/db",
      schema: "public",
      tablePrefix: "",
      poolSize: 3,
      connectTimeoutMs: 100,
      idleTimeoutMs: 0,
      migrate: false,
      batchTransitions: false,
    });
  });

  it("uses DATABASE_URL when the URL has no host, with the URL's parameters on top", () => {
    const env = { DATABASE_URL: "postgres://app@10.0.0.1/prod?sslmode=verify-full" };
    const settings = postgresSettingsFromUrl(new URL("postgres:?schema=jobs&application_name=api"), env);
    expect(settings.connectionString).toBe("postgres://app@10.0.0.1/prod?sslmode=verify-full&application_name=api");
    expect(settings.schema).toBe("jobs");
    expect(() => postgresSettingsFromUrl(new URL("postgres:"), {})).toThrow(ConfigError);
    expect(() => postgresSettingsFromUrl(new URL("postgres:"), { DATABASE_URL: "not a url" })).toThrow(
      /DATABASE_URL is not a URL/,
    );
  });

  it("names every bad field in one error", () => {
    const url = new URL(`postgres://h/db?schema=x;drop&tablePrefix=${"p".repeat(60)}&poolSize=1.5&migrate=yes`);
    let caught: unknown;
    try {
      postgresSettingsFromUrl(url);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    const { message } = caught as ConfigError;
    for (const field of ["schema", "tablePrefix", "poolSize", "migrate"]) expect(message).toContain(field);
  });
});

describe("toPostgresStoreError", () => {
  const withCode = (code: string, message = "x"): Error => Object.assign(new Error(message), { code });

  it("calls connection trouble STORE_UNAVAILABLE and retryable", () => {
    for (const error of [
      withCode("ECONNREFUSED"),
      withCode("57P01", "terminating connection due to administrator command"),
      withCode("08006"),
      withCode("53300", "too many connections"),
      new Error("Connection terminated unexpectedly"),
      new Error("timeout exceeded when trying to connect"),
      new AggregateError([withCode("ECONNREFUSED")], ""),
    ]) {
      const mapped = toPostgresStoreError(error, "reading");
      expect(mapped).toBeInstanceOf(StatusStoreError);
      expect(mapped).toMatchObject({ code: "STORE_UNAVAILABLE", retryable: true, cause: error });
    }
  });

  it("calls other failures STORE_FAILED, retryable only for serialisation failures and deadlocks", () => {
    expect(toPostgresStoreError(withCode("42P01", "relation does not exist"), "reading")).toMatchObject({
      code: "STORE_FAILED",
      retryable: false,
    });
    expect(toPostgresStoreError(withCode("40P01"), "reading")).toMatchObject({ code: "STORE_FAILED", retryable: true });
    expect(toPostgresStoreError("odd", "reading")).toMatchObject({ code: "STORE_FAILED", retryable: false });
    const passthrough = new StatusStoreError("STORE_CLOSED", "closed");
    expect(toPostgresStoreError(passthrough, "reading")).toBe(passthrough);
  });
});
