/**
 * The scaler's picture of its fleet at one tick: the fleet's instances joined with the workers' heartbeats and the
 * drain requests in the status store. Pure: built from what was read, so it is tested without a fleet or a store.
 *
 * An instance counts as `running` only once one of its workers has sent a heartbeat since the instance was launched;
 * until then it is `booting`, whatever the cloud says (an EC2 instance is "running" long before its worker is).
 */
import type { WorkerRecord } from "../status/status-store.ts";
import type { FleetInstance } from "./fleet/fleet.ts";
import type { FleetCounts } from "./policy/scaling-policy.ts";

/** Thresholds of the health check. */
export interface HealthThresholds {
  /** A worker whose last heartbeat is older than this is not alive. */
  readonly staleAfterMs: number;
  /** An instance with no heartbeat this long after its launch is unhealthy. */
  readonly bootTimeoutMs: number;
}

/** One instance as the scaler sees it. */
export interface InstanceView {
  readonly id: string;
  readonly phase: "booting" | "running" | "draining" | "terminating";
  readonly launchedAt: number;
  /** Jobs its live workers report running. */
  readonly inFlight: number;
  /** Workers of this instance whose heartbeat is fresh and not `stopped`. */
  readonly liveWorkers: number;
  /** The newest heartbeat of any of its workers since launch. */
  readonly lastSeenAt: number | undefined;
  /** Draining, and no live worker is left: safe to terminate. */
  readonly drained: boolean;
  /** Why the instance needs recovering; undefined when healthy. */
  readonly unhealthy: string | undefined;
}

/** Builds the view. `drainRequested` holds the instances with a standing drain request. */
export function viewFleet(
  instances: readonly FleetInstance[],
  workers: readonly WorkerRecord[],
  drainRequested: ReadonlySet<string>,
  now: number,
  health: HealthThresholds,
): InstanceView[] {
  const byInstance = new Map<string, WorkerRecord[]>();
  for (const worker of workers) {
    const list = byInstance.get(worker.instanceId) ?? [];
    list.push(worker);
    byInstance.set(worker.instanceId, list);
  }
  return instances.map((instance) =>
    viewInstance(instance, byInstance.get(instance.id) ?? [], drainRequested, now, health),
  );
}

function viewInstance(
  instance: FleetInstance,
  allWorkers: readonly WorkerRecord[],
  drainRequested: ReadonlySet<string>,
  now: number,
  health: HealthThresholds,
): InstanceView {
  const workers = allWorkers.filter((worker) => worker.lastSeenAt >= instance.launchedAt);
  const live = workers.filter(
    (worker) => worker.status !== "stopped" && now - worker.lastSeenAt <= health.staleAfterMs,
  );
  const lastSeenAt = workers.length === 0 ? undefined : Math.max(...workers.map((worker) => worker.lastSeenAt));
  const draining = instance.phase === "draining" || drainRequested.has(instance.id);
  const phase =
    instance.phase === "terminating"
      ? "terminating"
      : draining
        ? "draining"
        : workers.some((worker) => worker.status !== "stopped")
          ? "running"
          : "booting";
  return {
    id: instance.id,
    phase,
    launchedAt: instance.launchedAt,
    inFlight: live.reduce((sum, worker) => sum + worker.inFlight, 0),
    liveWorkers: live.length,
    lastSeenAt,
    drained: phase === "draining" && live.length === 0,
    unhealthy:
      phase === "running" || phase === "booting" ? healthProblem(instance, workers, live, now, health) : undefined,
  };
}

function healthProblem(
  instance: FleetInstance,
  workers: readonly WorkerRecord[],
  live: readonly WorkerRecord[],
  now: number,
  health: HealthThresholds,
): string | undefined {
  if (now - instance.launchedAt < health.bootTimeoutMs && workers.length === 0) return undefined;
  if (workers.length === 0) return `no heartbeat ${seconds(now - instance.launchedAt)} after launch`;
  if (live.length > 0) return undefined;
  const newest = Math.max(...workers.map((worker) => worker.lastSeenAt));
  if (workers.every((worker) => worker.status === "stopped")) return "its workers stopped";
  return `last heartbeat ${seconds(now - newest)} ago`;
}

function seconds(ms: number): string {
  return `${Math.round(ms / 1000)} s`;
}

/** How many instances are in each phase, as policies count them. */
export function countPhases(view: readonly InstanceView[]): FleetCounts {
  let booting = 0;
  let running = 0;
  let draining = 0;
  for (const instance of view) {
    if (instance.phase === "booting") booting += 1;
    else if (instance.phase === "running") running += 1;
    else if (instance.phase === "draining") draining += 1;
  }
  return { booting, running, draining };
}

/**
 * The instances to drain when scaling in by `count`: never one that is already leaving; booting ones first (no work
 * yet), then the least busy running ones, oldest first among equals (their billing minimum is behind them).
 */
export function chooseScaleInVictims(view: readonly InstanceView[], count: number): InstanceView[] {
  if (count <= 0) return [];
  const candidates = view.filter((instance) => instance.phase === "booting" || instance.phase === "running");
  const rank = (instance: InstanceView): number => (instance.phase === "booting" ? -1 : instance.inFlight);
  return [...candidates]
    .sort((a, b) => rank(a) - rank(b) || a.launchedAt - b.launchedAt || a.id.localeCompare(b.id))
    .slice(0, count);
}
