/** The scaler's options, their defaults (applied in one place) and one validation that reports every bad field. */
import { randomUUID } from "node:crypto";
import { ScalerError } from "../errors.ts";
import { silentLogger, type Logger } from "../logger.ts";
import type { StatusStore } from "../status/status-store.ts";
import type { Transport } from "../transport/transport.ts";
import type { Fleet } from "./fleet/fleet.ts";
import type { ScalingPolicy } from "./policy/scaling-policy.ts";

/** How old records get before the leader scrubs them. */
export interface RetentionOptions {
  /** Final jobs last updated longer ago than this. @defaultValue 7 days */
  readonly jobsMs?: number;
  /** Workers not seen for this long. @defaultValue 1 day */
  readonly workersMs?: number;
  /** Scaler events older than this. @defaultValue 7 days */
  readonly scalerEventsMs?: number;
  /** How often the leader scrubs. @defaultValue 1 hour */
  readonly everyMs?: number;
}

/** Options of {@link Scaler}. */
export interface ScalerOptions {
  /** Where jobs, heartbeats, the leader lease and the scaler's events live. The scaler does not close it. */
  readonly store: StatusStore;
  /** The queue whose backlog drives the fleet (only `stats()` is used). The scaler does not close it. */
  readonly transport: Pick<Transport, "stats" | "queue">;
  /** The instances to grow and shrink. The scaler does not close it. */
  readonly fleet: Fleet;
  readonly policy: ScalingPolicy;
  /** The fleet's name: the leader lease is `scaler:<name>`. @defaultValue the transport's queue */
  readonly name?: string;
  /** This scaler's id (lease holder, event writer). @defaultValue a random UUID */
  readonly scalerId?: string;
  /** Jobs one instance runs at once. @defaultValue 10 */
  readonly concurrencyPerInstance?: number;
  /** How long a launched instance takes to serve, as the policy assumes. @defaultValue 60000 */
  readonly bootDelayMs?: number;
  /** Leader lease length; a new leader takes over at most this + one tick after the old one stops. @defaultValue 20000 */
  readonly leaseTtlMs?: number;
  /** How often the scaler looks (renews the lease, drains, checks health); policies decide at their own interval. @defaultValue 5000 */
  readonly tickIntervalMs?: number;
  /** A worker whose heartbeat is older than this is not alive. @defaultValue 60000 */
  readonly staleAfterMs?: number;
  /** An instance with no heartbeat this long after launch is unhealthy. @defaultValue max(10 min, 5 × bootDelayMs) */
  readonly bootTimeoutMs?: number;
  /** A draining instance whose workers are still busy after this long is terminated anyway. @defaultValue 1 hour */
  readonly drainTimeoutMs?: number;
  /** Only jobs of this service teach the policy T. @defaultValue every service in the store */
  readonly service?: string;
  /** Scrubbing of old records by the leader; `false` turns it off. @defaultValue the RetentionOptions defaults */
  readonly retention?: RetentionOptions | false;
  /** @defaultValue silentLogger */
  readonly logger?: Logger;
  /** The clock, for tests. @defaultValue Date.now */
  readonly now?: () => number;
}

/** Options with every default applied. */
export interface ResolvedScalerOptions {
  readonly store: StatusStore;
  readonly transport: Pick<Transport, "stats" | "queue">;
  readonly fleet: Fleet;
  readonly policy: ScalingPolicy;
  readonly name: string;
  readonly scalerId: string;
  readonly concurrencyPerInstance: number;
  readonly bootDelayMs: number;
  readonly leaseTtlMs: number;
  readonly tickIntervalMs: number;
  readonly staleAfterMs: number;
  readonly bootTimeoutMs: number;
  readonly drainTimeoutMs: number;
  readonly service: string | undefined;
  readonly retention: Required<RetentionOptions> | false;
  readonly logger: Logger;
  readonly now: () => number;
}

const DAY_MS = 86_400_000;

/** Applies defaults and validates; throws a ScalerError (`SCALER_CONFIG`) naming every bad field. */
export function resolveScalerOptions(options: ScalerOptions): ResolvedScalerOptions {
  const bootDelayMs = options.bootDelayMs ?? 60_000;
  const retention = options.retention === false ? false : resolveRetention(options.retention ?? {});
  const resolved: ResolvedScalerOptions = {
    store: options.store,
    transport: options.transport,
    fleet: options.fleet,
    policy: options.policy,
    name: options.name ?? options.transport.queue,
    scalerId: options.scalerId ?? randomUUID(),
    concurrencyPerInstance: options.concurrencyPerInstance ?? 10,
    bootDelayMs,
    leaseTtlMs: options.leaseTtlMs ?? 20_000,
    tickIntervalMs: options.tickIntervalMs ?? 5_000,
    staleAfterMs: options.staleAfterMs ?? 60_000,
    bootTimeoutMs: options.bootTimeoutMs ?? Math.max(600_000, 5 * bootDelayMs),
    drainTimeoutMs: options.drainTimeoutMs ?? 3_600_000,
    service: options.service,
    retention,
    logger: options.logger ?? silentLogger,
    now: options.now ?? Date.now,
  };
  const problems = [
    ...positive(resolved, ["concurrencyPerInstance", "leaseTtlMs", "tickIntervalMs", "staleAfterMs", "bootTimeoutMs"]),
    ...nonNegative(resolved, ["bootDelayMs", "drainTimeoutMs"]),
    ...(resolved.name === "" ? ["name must not be empty"] : []),
    ...(resolved.tickIntervalMs * 2 > resolved.leaseTtlMs
      ? [`tickIntervalMs (${resolved.tickIntervalMs}) must be at most half of leaseTtlMs (${resolved.leaseTtlMs})`]
      : []),
    ...(retention === false ? [] : nonNegative(retention, ["jobsMs", "workersMs", "scalerEventsMs"])),
    ...(retention === false ? [] : positive(retention, ["everyMs"])),
  ];
  if (problems.length > 0) throw new ScalerError("SCALER_CONFIG", `invalid scaler options: ${problems.join("; ")}`);
  return resolved;
}

function resolveRetention(retention: RetentionOptions): Required<RetentionOptions> {
  return {
    jobsMs: retention.jobsMs ?? 7 * DAY_MS,
    workersMs: retention.workersMs ?? DAY_MS,
    scalerEventsMs: retention.scalerEventsMs ?? 7 * DAY_MS,
    everyMs: retention.everyMs ?? 3_600_000,
  };
}

function positive<T extends object>(values: T, keys: readonly (keyof T & string)[]): string[] {
  return keys.filter((key) => !isFiniteAtLeast(values[key], Number.MIN_VALUE)).map((key) => `${key} must be > 0`);
}

function nonNegative<T extends object>(values: T, keys: readonly (keyof T & string)[]): string[] {
  return keys.filter((key) => !isFiniteAtLeast(values[key], 0)).map((key) => `${key} must be ≥ 0`);
}

function isFiniteAtLeast(value: unknown, minimum: number): boolean {
  return typeof value === "number" && Number.isFinite(value) && value >= minimum;
}
