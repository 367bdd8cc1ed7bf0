/** The worker's options, their defaults (applied in one place) and one validation that reports every bad field. */
import { randomUUID } from "node:crypto";
import { hostname } from "node:os";
import type { CodecLimits } from "../codec/limits.ts";
import { ConfigError } from "../errors.ts";
import { silentLogger, type Logger } from "../logger.ts";
import type { StatusStore } from "../status/status-store.ts";
import type { Transport } from "../transport/transport.ts";
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from "./retry-policy.ts";
import { DEFAULT_STATUS_WRITE_RETRY, type StatusWriteRetry } from "./status-writer.ts";
import { systemClock, type WorkerClock } from "./worker-clock.ts";

/** Options of {@link Worker}. */
export interface WorkerOptions {
  /** Where jobs come from. The worker does not own it: `stop()` leaves it open. */
  readonly transport: Transport;
  /** Where job status and heartbeats go; without one, nothing is recorded. */
  readonly store?: StatusStore;
  /** Most jobs running at once (also the receive prefetch). @defaultValue 10 */
  readonly concurrency?: number;
  /** This worker's id in heartbeats and job records. @defaultValue a random UUID */
  readonly workerId?: string;
  /** The machine or fleet slot it runs on. @defaultValue the host name */
  readonly instanceId?: string;
  /** @defaultValue silentLogger */
  readonly logger?: Logger;
  /** Lease asked for each delivery, in ms; extended every third of it while a handler runs. @defaultValue 30000 */
  readonly leaseMs?: number;
  /** Retry defaults of every method (annotations and `handle()` options override them). @defaultValue 5 attempts, 1 s to 5 min, full jitter */
  readonly retry?: Partial<RetryPolicy>;
  /** @defaultValue 5000 */
  readonly heartbeatIntervalMs?: number;
  /** How long `stop()` lets running jobs finish. @defaultValue 30000 */
  readonly drainTimeoutMs?: number;
  /** At most one progress write per job per this many ms. @defaultValue 1000 */
  readonly progressIntervalMs?: number;
  /** Codec limits for decoding untrusted payloads. @defaultValue DEFAULT_CODEC_LIMITS */
  readonly limits?: Partial<CodecLimits>;
  /** How outcome writes are retried before the job is given back. @defaultValue 3 tries, 50 ms doubling */
  readonly statusWriteRetry?: StatusWriteRetry;
  /** Clock and timers, for tests. @defaultValue Node's, unref'd */
  readonly clock?: WorkerClock;
  /** Random source of the backoff jitter, for tests. @defaultValue Math.random */
  readonly random?: () => number;
}

/** Options with every default applied. */
export interface ResolvedWorkerOptions {
  readonly transport: Transport;
  readonly store: StatusStore | undefined;
  readonly concurrency: number;
  readonly workerId: string;
  readonly instanceId: string;
  readonly logger: Logger;
  readonly leaseMs: number;
  readonly retry: Required<RetryPolicy>;
  readonly heartbeatIntervalMs: number;
  readonly drainTimeoutMs: number;
  readonly progressIntervalMs: number;
  readonly limits: Partial<CodecLimits> | undefined;
  readonly statusWriteRetry: StatusWriteRetry;
  readonly clock: WorkerClock;
  readonly random: () => number;
}

/** Applies defaults and validates; throws a ConfigError naming every bad field. */
export function resolveWorkerOptions(options: WorkerOptions): ResolvedWorkerOptions {
  const resolved: ResolvedWorkerOptions = {
    transport: options.transport,
    store: options.store,
    concurrency: options.concurrency ?? 10,
    workerId: options.workerId ?? randomUUID(),
    instanceId: options.instanceId ?? hostname(),
    logger: options.logger ?? silentLogger,
    leaseMs: options.leaseMs ?? 30_000,
    retry: { ...DEFAULT_RETRY_POLICY, ...options.retry },
    heartbeatIntervalMs: options.heartbeatIntervalMs ?? 5_000,
    drainTimeoutMs: options.drainTimeoutMs ?? 30_000,
    progressIntervalMs: options.progressIntervalMs ?? 1_000,
    limits: options.limits,
    statusWriteRetry: options.statusWriteRetry ?? DEFAULT_STATUS_WRITE_RETRY,
    clock: options.clock ?? systemClock,
    random: options.random ?? Math.random,
  };
  const problems: string[] = [];
  const { retry } = resolved;
  if (typeof resolved.transport?.receive !== "function") problems.push("transport is required");
  if (!isInteger(resolved.concurrency, 1)) problems.push(`concurrency must be an integer ≥ 1`);
  if (!isNumber(resolved.leaseMs, 1)) problems.push("leaseMs must be ≥ 1");
  if (!isNumber(resolved.heartbeatIntervalMs, 1)) problems.push("heartbeatIntervalMs must be ≥ 1");
  if (!isNumber(resolved.drainTimeoutMs, 0)) problems.push("drainTimeoutMs must be ≥ 0");
  if (!isNumber(resolved.progressIntervalMs, 0)) problems.push("progressIntervalMs must be ≥ 0");
  if (!isInteger(retry.maxAttempts, 1)) problems.push("retry.maxAttempts must be an integer ≥ 1");
  if (!isNumber(retry.baseDelayMs, 0)) problems.push("retry.baseDelayMs must be ≥ 0");
  if (!isNumber(retry.maxDelayMs, 0)) problems.push("retry.maxDelayMs must be ≥ 0");
  if (!["full", "equal", "none"].includes(retry.jitter)) problems.push(`retry.jitter must be full, equal or none`);
  if (!isInteger(resolved.statusWriteRetry.attempts, 1)) problems.push("statusWriteRetry.attempts must be ≥ 1");
  if (resolved.workerId === "") problems.push("workerId must not be empty");
  if (problems.length > 0) throw new ConfigError("CONFIG_INVALID", `invalid worker options: ${problems.join("; ")}`);
  return resolved;
}

function isNumber(value: unknown, min: number): boolean {
  return typeof value === "number" && Number.isFinite(value) && value >= min;
}

function isInteger(value: unknown, min: number): boolean {
  return isNumber(value, min) && Number.isInteger(value);
}
