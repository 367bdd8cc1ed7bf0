/**
 * How the scaler tells the workers of one instance to drain, through the status store: a lease named
 * `drain:<instanceId>`, taken by the scaler. A worker started with that instance id looks for the lease every few
 * seconds (`watchDrainRequests`) and, once it appears, stops the way SIGTERM stops it — no new jobs, running ones
 * finish — and writes its final `stopped` heartbeat, which tells the scaler the instance is idle and may go.
 *
 * A lease fits because every store already has it (conditional, shared by all processes) and because it lapses on
 * its own: a scaler that crashes after asking leaves nothing behind for good.
 */
import type { Logger } from "../logger.ts";
import type { StatusStore } from "../status/status-store.ts";

/** The lease name that asks the workers of `instanceId` to drain. */
export function drainLeaseName(instanceId: string): string {
  return `drain:${instanceId}`;
}

/** How long a drain request stands unless the scaler renews it. @defaultValue 1 hour */
export const DEFAULT_DRAIN_REQUEST_TTL_MS = 3_600_000;

/** Asks the workers of `instanceId` to drain; returns whether the request stands (false: another scaler holds it). */
export async function requestDrain(
  store: StatusStore,
  instanceId: string,
  scalerId: string,
  now: number,
  ttlMs = DEFAULT_DRAIN_REQUEST_TTL_MS,
): Promise<boolean> {
  const lease = await store.acquireLease({ name: drainLeaseName(instanceId), holder: scalerId, ttlMs, now });
  return lease !== undefined;
}

/** Whether a drain request for `instanceId` stands at `now`. */
export async function isDrainRequested(store: StatusStore, instanceId: string, now: number): Promise<boolean> {
  const lease = await store.lease(drainLeaseName(instanceId));
  return lease !== undefined && lease.expiresAt > now;
}

/** Withdraws the drain request of `instanceId` (after the instance is gone). */
export async function withdrawDrainRequest(store: StatusStore, instanceId: string): Promise<void> {
  const lease = await store.lease(drainLeaseName(instanceId));
  if (lease !== undefined) await store.releaseLease(lease.name, lease.holder, lease.token);
}

/** Options of {@link watchDrainRequests}. */
export interface DrainWatchOptions {
  readonly store: StatusStore;
  readonly instanceId: string;
  /** Called once, when a drain request is first seen. */
  readonly onDrainRequested: () => void;
  /** How often to look. @defaultValue 2000 */
  readonly intervalMs?: number;
  /** @defaultValue Date.now */
  readonly now?: () => number;
  readonly logger?: Logger;
}

/** Looks for a drain request every interval until one appears or the returned function is called. */
export function watchDrainRequests(options: DrainWatchOptions): () => void {
  const now = options.now ?? Date.now;
  let stopped = false;
  let looking = false;
  const look = async (): Promise<void> => {
    if (stopped || looking) return;
    looking = true;
    try {
      if (await isDrainRequested(options.store, options.instanceId, now())) {
        stop();
        options.onDrainRequested();
      }
    } catch (error) {
      options.logger?.warn({ err: error, instanceId: options.instanceId }, "could not look for a drain request");
    } finally {
      looking = false;
    }
  };
  const timer = setInterval(() => void look(), options.intervalMs ?? 2000);
  timer.unref();
  const stop = (): void => {
    stopped = true;
    clearInterval(timer);
  };
  return stop;
}
