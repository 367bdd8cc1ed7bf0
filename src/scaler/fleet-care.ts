/**
 * What the leader does to the fleet once it knows the desired capacity: launch or drain to reach it, and on every
 * tick look after the instances that are leaving (drain heartbeats, termination once idle, departures), the
 * unhealthy ones (recovery) and the busy ones (scale-in protection). Every action is recorded, fenced, before it is
 * taken.
 */
import type { Lease } from "../status/status-store.ts";
import { DEFAULT_DRAIN_REQUEST_TTL_MS, drainLeaseName, requestDrain, withdrawDrainRequest } from "./drain-request.ts";
import type { FleetAction, FleetInstance } from "./fleet/fleet.ts";
import { chooseScaleInVictims, countPhases, type InstanceView } from "./fleet-view.ts";
import type { ScalingDecision } from "./policy/scaling-policy.ts";
import type { ResolvedScalerOptions } from "./scaler-options.ts";
import type { ScalerRecorder } from "./scaler-recorder.ts";

/** The instance ids one tick acted on. */
export interface FleetActions {
  launched: string[];
  draining: string[];
  terminated: string[];
  recovered: string[];
}

/** The leader's hands on the fleet. One per scaler; `reset()` when leadership is (re)gained. */
export class FleetCare {
  private readonly options: ResolvedScalerOptions;
  private readonly recorder: ScalerRecorder;
  private readonly recoveredAt = new Map<string, number>();
  /** Instances this leader saw draining; one that leaves the fleet on its own (its process exited) is noted. */
  private readonly draining = new Set<string>();

  constructor(options: ResolvedScalerOptions, recorder: ScalerRecorder) {
    this.options = options;
    this.recorder = recorder;
  }

  /** Forgets what a previous leadership knew. */
  reset(): void {
    this.draining.clear();
  }

  /** The standing drain requests of the listed instances. */
  async drainLeases(instances: readonly FleetInstance[]): Promise<Map<string, Lease>> {
    const now = this.options.now();
    const found = await Promise.all(
      instances.map(
        async (instance) => [instance.id, await this.options.store.lease(drainLeaseName(instance.id))] as const,
      ),
    );
    const standing = new Map<string, Lease>();
    for (const [id, lease] of found) if (lease !== undefined && lease.expiresAt > now) standing.set(id, lease);
    return standing;
  }

  async resize(
    decision: ScalingDecision,
    view: readonly InstanceView[],
    lease: Lease,
    now: number,
    report: FleetActions,
  ): Promise<void> {
    const counts = countPhases(view);
    const delta = decision.desired - (counts.booting + counts.running);
    if (delta > 0) {
      const event = await this.recorder.record(lease, now, {
        kind: "launch",
        reason: `+${delta}: ${decision.reason}`,
        desired: decision.desired,
      });
      const launched = await this.options.fleet.launch(delta, action(event.id, lease));
      report.launched.push(...launched.map((instance) => instance.id));
      this.options.logger.info({ launched: report.launched, desired: decision.desired }, "launched instances");
    } else if (delta < 0) {
      const victims = chooseScaleInVictims(view, -delta).map((instance) => instance.id);
      if (victims.length === 0) return;
      const event = await this.recorder.record(lease, now, {
        kind: "drain",
        reason: `${delta}: ${decision.reason}`,
        desired: decision.desired,
        instanceIds: victims,
      });
      await this.requestDrains(victims, now);
      for (const id of victims) this.draining.add(id);
      await this.options.fleet.drain(victims, action(event.id, lease));
      report.draining.push(...victims);
      this.options.logger.info({ draining: victims, desired: decision.desired }, "draining instances");
    }
  }

  async tendDraining(
    view: readonly InstanceView[],
    drainLeases: ReadonlyMap<string, Lease>,
    lease: Lease,
    now: number,
    report: FleetActions,
  ): Promise<void> {
    const draining = view.filter((instance) => instance.phase === "draining" && !report.draining.includes(instance.id));
    if (draining.length === 0) return;
    for (const instance of draining) this.draining.add(instance.id);
    // Instances the fleet itself is terminating (an ASG scale-in) are drained the same way.
    await this.requestDrains(
      draining.filter((instance) => !drainLeases.has(instance.id)).map((instance) => instance.id),
      now,
    );
    const drainSince = (id: string): number =>
      (drainLeases.get(id)?.expiresAt ?? now + this.drainRequestTtlMs) - this.drainRequestTtlMs;
    const done = draining.filter(
      (instance) => instance.drained || now - drainSince(instance.id) >= this.options.drainTimeoutMs,
    );
    const waiting = draining.filter((instance) => !done.includes(instance));
    if (waiting.length > 0) {
      await this.options.fleet.drain(
        waiting.map((instance) => instance.id),
        action(`${lease.token}-drain`, lease),
      );
    }
    if (done.length === 0) return;
    const ids = done.map((instance) => instance.id);
    const forced = done.filter((instance) => !instance.drained).map((instance) => instance.id);
    const event = await this.recorder.record(lease, now, {
      kind: "terminate",
      reason:
        forced.length === 0
          ? "drained: no live worker left"
          : `drained, except ${forced.join(", ")}: still busy after the drain timeout`,
      instanceIds: ids,
    });
    await this.options.fleet.terminate(ids, action(event.id, lease));
    await Promise.all(ids.map((id) => withdrawDrainRequest(this.options.store, id)));
    for (const id of ids) this.draining.delete(id);
    report.terminated.push(...ids);
  }

  async noteDeparted(
    instances: readonly FleetInstance[],
    lease: Lease,
    now: number,
    report: FleetActions,
  ): Promise<void> {
    const listed = new Set(instances.map((instance) => instance.id));
    const departed = [...this.draining].filter((id) => !listed.has(id));
    if (departed.length === 0) return;
    await this.recorder.record(lease, now, {
      kind: "terminate",
      reason: "left the fleet after draining (its workers stopped)",
      instanceIds: departed,
    });
    await Promise.all(departed.map((id) => withdrawDrainRequest(this.options.store, id)));
    for (const id of departed) this.draining.delete(id);
    report.terminated.push(...departed);
  }

  async tendHealth(view: readonly InstanceView[], lease: Lease, now: number, report: FleetActions): Promise<void> {
    for (const instance of view) {
      if (instance.unhealthy === undefined) continue;
      const recovered = this.recoveredAt.get(instance.id);
      if (recovered !== undefined && now - recovered < this.options.bootTimeoutMs) continue;
      const event = await this.recorder.record(lease, now, {
        kind: "recover",
        reason: `unhealthy: ${instance.unhealthy}`,
        instanceIds: [instance.id],
      });
      this.recoveredAt.set(instance.id, now);
      await this.options.fleet.recover(instance.id, action(event.id, lease));
      report.recovered.push(instance.id);
    }
  }

  async protectBusy(view: readonly InstanceView[], lease: Lease): Promise<void> {
    if (this.options.fleet.protect === undefined) return;
    const busy = new Map<string, boolean>();
    for (const instance of view) {
      if (instance.phase === "running") busy.set(instance.id, instance.inFlight > 0);
      else if (instance.phase === "draining") busy.set(instance.id, true);
    }
    await this.options.fleet.protect(busy, action(`${lease.token}-protect`, lease));
  }

  private get drainRequestTtlMs(): number {
    return Math.max(DEFAULT_DRAIN_REQUEST_TTL_MS, this.options.drainTimeoutMs + 600_000);
  }

  private async requestDrains(ids: readonly string[], now: number): Promise<void> {
    await Promise.all(
      ids.map((id) => requestDrain(this.options.store, id, this.options.scalerId, now, this.drainRequestTtlMs)),
    );
  }
}

function action(id: string, lease: Lease): FleetAction {
  return { id, fencingToken: lease.token };
}
