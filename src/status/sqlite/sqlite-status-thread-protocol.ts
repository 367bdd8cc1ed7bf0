/**
 * The messages between a {@link ThreadedSqliteStatusStore} and the thread that owns its SQLite connection. Calls
 * travel in batches (every call of one event-loop turn in one message, and every answer of one transaction group
 * in one reply), so the thread hop costs one structured clone per batch, not per call. Errors cross as plain data
 * and come back as the same typed error, code and all.
 */
import { ConfigError, type ConfigErrorCode, StatusStoreError, type StatusStoreErrorCode } from "../../errors.ts";
import type { StatusStore } from "../status-store.ts";
import type { ResolvedSqliteStatusStoreOptions } from "./sqlite-status-options.ts";

/** The store methods a thread serves: every one but `close`, which is a message of its own. */
export type ThreadedMethod = Exclude<keyof StatusStore, "kind" | "close">;

/** Each method once, so the thread can refuse a name that is not one. */
export const THREADED_METHODS: ReadonlySet<string> = new Set<ThreadedMethod>([
  "enqueued",
  "transition",
  "progress",
  "get",
  "list",
  "counts",
  "heartbeat",
  "workers",
  "acquireLease",
  "releaseLease",
  "lease",
  "recordScalerEvent",
  "scalerEvents",
  "scrub",
]);

/** What the thread opens: the resolved options but the logger, which stays with the caller. */
export type ThreadStoreOptions = Omit<ResolvedSqliteStatusStoreOptions, "logger">;

/** One call: `seq` matches it with its answer. */
export interface ThreadCall {
  readonly seq: number;
  readonly method: ThreadedMethod;
  readonly args: readonly unknown[];
}

/** Caller → thread. */
export type ThreadRequest =
  { readonly kind: "calls"; readonly calls: readonly ThreadCall[] } | { readonly kind: "close" };

/** An error as it crosses the thread boundary. */
export interface CrossingError {
  readonly name: string;
  readonly code: string;
  readonly message: string;
  readonly retryable: boolean;
  /** The driver's error the store kept as `cause`: its message and SQLite code. */
  readonly cause?: { readonly message: string; readonly code?: string };
}

/** One call's answer. */
export type ThreadAnswer =
  | { readonly seq: number; readonly ok: true; readonly value: unknown }
  | { readonly seq: number; readonly ok: false; readonly error: CrossingError };

/** Log levels the thread forwards to the caller's logger. */
export type ThreadLogLevel = "debug" | "info" | "warn" | "error";

/** Thread → caller. */
export type ThreadReply =
  | { readonly kind: "ready" }
  | { readonly kind: "open-failed"; readonly error: CrossingError }
  | { readonly kind: "answers"; readonly answers: readonly ThreadAnswer[] }
  | { readonly kind: "log"; readonly level: ThreadLogLevel; readonly context: object; readonly message?: string }
  | { readonly kind: "closed" };

/** Turns what a store threw into data that crosses the boundary. */
export function toCrossingError(error: unknown): CrossingError {
  if (error instanceof StatusStoreError || error instanceof ConfigError) {
    const crossing = { name: error.name, code: error.code, message: error.message, retryable: error.retryable };
    return error.cause instanceof Error ? { ...crossing, cause: causeSummary(error.cause) } : crossing;
  }
  const message = error instanceof Error ? error.message : String(error);
  return { name: "StatusStoreError", code: "STORE_FAILED", message, retryable: false };
}

/** The typed error a crossing error stands for. */
export function fromCrossingError(error: CrossingError): StatusStoreError | ConfigError {
  const cause = error.cause === undefined ? undefined : Object.assign(new Error(error.cause.message), error.cause);
  const options = cause === undefined ? { retryable: error.retryable } : { retryable: error.retryable, cause };
  if (error.name === "ConfigError") return new ConfigError(error.code as ConfigErrorCode, error.message, options);
  return new StatusStoreError(error.code as StatusStoreErrorCode, error.message, options);
}

function causeSummary(cause: Error): { readonly message: string; readonly code?: string } {
  const code = (cause as { code?: unknown }).code;
  return typeof code === "string" ? { message: cause.message, code } : { message: cause.message };
}
