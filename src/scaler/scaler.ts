/**
 * The scaler: every node of a fleet runs one; the one holding the leader lease observes the queue, the status store
 * and the fleet, asks its policy for the desired capacity, and acts — launch, drain, terminate once drained, recover
 * unhealthy instances, scrub old records — recording every decision and action, fenced by the lease, before taking
 * it. The others only renew their claim, ready to take over within the lease.
 *
 * Scale-in never kills work: instances are drained through the store (drain-request.ts), and terminated only once
 * their workers report `stopped` (or the drain timeout passed).
 */
import { ScalerError, toThriftQueueError } from "../errors.ts";
import type { Lease } from "../status/status-store.ts";
import { DEFAULT_DRAIN_REQUEST_TTL_MS, drainLeaseName, requestDrain, withdrawDrainRequest } from "./drain-request.ts";
import type { FleetAction, FleetInstance } from "./fleet/fleet.ts";
import { chooseScaleInVictims, countPhases, viewFleet, type InstanceView } from "./fleet-view.ts";
import { JobActivitySampler } from "./job-activity.ts";
import { LeaderElection } from "./leader-election.ts";
import type { PolicyInput, ScalingDecision } from "./policy/scaling-policy.ts";
import { resolveScalerOptions, type ResolvedScalerOptions, type ScalerOptions } from "./scaler-options.ts";
import { ScalerRecorder } from "./scaler-recorder.ts";

/** What one tick did. */
export interface TickReport {
  /** Whether this scaler led during the tick. */
  readonly leader: boolean;
  /** The policy's decision, when one was due. */
  readonly decision: ScalingDecision | undefined;
  readonly launched: readonly string[];
  readonly draining: readonly string[];
  readonly terminated: readonly string[];
  readonly recovered: readonly string[];
}

interface MutableReport {
  leader: boolean;
  decision: ScalingDecision | undefined;
  launched: string[];
  draining: string[];
  terminated: string[];
  recovered: string[];
}

/** The largest policy memory recorded with a decision (the store's limit). */
const MEMORY_LIMIT = 64 * 1024;

/** A scaler for one fleet. */
export class Scaler {
  private readonly options: ResolvedScalerOptions;
  private readonly election: LeaderElection;
  private readonly recorder: ScalerRecorder;
  private readonly activity: JobActivitySampler;
  private memory: unknown;
  private lastDecisionAt = Number.NEGATIVE_INFINITY;
  private lastScrubAt = Number.NEGATIVE_INFINITY;
  private readonly recoveredAt = new Map<string, number>();
  /** Instances this leader saw draining; one that leaves the fleet on its own (its process exited) is noted. */
  private readonly draining = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  private ticking: Promise<TickReport> | undefined;
  private running = false;

  constructor(options: ScalerOptions) {
    this.options = resolveScalerOptions(options);
    this.election = new LeaderElection({
      store: this.options.store,
      leaseName: this.leaseName,
      holder: this.options.scalerId,
      ttlMs: this.options.leaseTtlMs,
    });
    this.recorder = new ScalerRecorder(this.options.store, this.options.scalerId);
    this.activity = new JobActivitySampler(this.options.store, this.options.service);
    this.memory = this.options.policy.initialMemory();
  }

  /** This scaler's id. */
  get scalerId(): string {
    return this.options.scalerId;
  }

  /** The leader lease's name: `scaler:<fleet name>`. */
  get leaseName(): string {
    return `scaler:${this.options.name}`;
  }

  /** Ticks every `tickIntervalMs` until `stop()`. */
  start(): void {
    if (this.running) return;
    this.running = true;
    const loop = (): void => {
      if (!this.running) return;
      void this.tick().finally(() => {
        if (this.running) this.timer = setTimeout(loop, this.options.tickIntervalMs);
      });
    };
    loop();
  }

  /** Stops ticking, waits for the tick under way and gives the lease up so another scaler takes over at once. */
  async stop(): Promise<void> {
    this.running = false;
    if (this.timer !== undefined) clearTimeout(this.timer);
    await this.ticking?.catch(() => undefined);
    const lease = this.election.leaseAt(this.options.now());
    if (lease === undefined) return;
    await this.recorder
      .record(lease, this.options.now(), { kind: "leader", reason: `${this.options.scalerId} resigned` })
      .catch(() => undefined);
    await this.election.resign().catch((error: unknown) => this.log("warn", error, "could not release the lease"));
  }

  /** One tick: renew the lease and, as leader, observe and act. Never rejects. */
  async tick(): Promise<TickReport> {
    await this.ticking?.catch(() => undefined);
    this.ticking = this.tickOnce();
    return this.ticking;
  }

  private async tickOnce(): Promise<TickReport> {
    const report: MutableReport = {
      leader: false,
      decision: undefined,
      launched: [],
      draining: [],
      terminated: [],
      recovered: [],
    };
    const now = this.options.now();
    let lease: Lease | undefined;
    try {
      const state = await this.election.renew(now);
      if (state.lost) this.options.logger.warn({ lease: this.leaseName }, "lost the scaler lease");
      if (state.lease === undefined) return report;
      lease = state.lease;
      report.leader = true;
      if (state.gained) await this.takeOver(state.lease, now);
      await this.lead(state.lease, now, report);
    } catch (error) {
      await this.failed(error, lease, now, report);
    }
    return report;
  }

  private async failed(error: unknown, lease: Lease | undefined, now: number, report: MutableReport): Promise<void> {
    if (error instanceof ScalerError && error.code === "SCALER_NOT_LEADER") {
      this.election.deposed();
      report.leader = false;
      this.options.logger.warn({ lease: this.leaseName }, "deposed: another scaler holds the lease; not acting");
      return;
    }
    const problem = toThriftQueueError(error);
    this.log("error", problem, "scaler tick failed");
    if (lease === undefined) return;
    await this.recorder
      .record(lease, now, { kind: "error", reason: `${problem.code}: ${problem.message}` })
      .catch(() => undefined);
  }

  private async takeOver(lease: Lease, now: number): Promise<void> {
    const stored = await this.recorder.lastMemory(lease.name);
    this.memory = parseMemory(stored) ?? this.options.policy.initialMemory();
    this.activity.reset();
    this.draining.clear();
    this.lastDecisionAt = Number.NEGATIVE_INFINITY;
    await this.recorder.record(lease, now, {
      kind: "leader",
      reason: `${this.options.scalerId} leads (token ${lease.token})${stored === undefined ? "" : ", policy memory restored"}`,
    });
    this.options.logger.info({ lease: lease.name, token: lease.token }, "leading the fleet");
  }

  private async lead(lease: Lease, now: number, report: MutableReport): Promise<void> {
    const { store, transport, fleet } = this.options;
    const [stats, instances, workers] = await Promise.all([transport.stats(), fleet.list(), store.workers()]);
    const drainLeases = await this.drainLeases(instances);
    const view = viewFleet(instances, workers, new Set(drainLeases.keys()), now, this.options);
    await this.noteDeparted(instances, lease, now, report);
    if (now - this.lastDecisionAt >= this.options.policy.evaluationIntervalMs) {
      const activity = await this.activity.sample(now);
      const input: PolicyInput = {
        now,
        queue: {
          visible: stats.visible,
          inFlight: stats.inFlight,
          delayed: stats.delayed,
          oldestAgeMs: stats.oldestAgeMs,
        },
        fleet: countPhases(view),
        completedSinceLast: activity.completed,
        serviceTimesMs: activity.serviceTimesMs,
        concurrencyPerInstance: this.options.concurrencyPerInstance,
        bootDelayMs: this.options.bootDelayMs,
      };
      const step = this.options.policy.decide(input, this.memory);
      this.memory = step.memory;
      this.lastDecisionAt = now;
      report.decision = step.decision;
      await this.recordDecision(lease, now, step.decision);
      await this.apply(step.decision, view, lease, now, report);
    }
    await this.tendDraining(view, drainLeases, lease, now, report);
    await this.tendHealth(view, lease, now, report);
    await this.protectBusy(view, lease);
    await this.scrubIfDue(lease, now);
  }

  private async recordDecision(lease: Lease, now: number, decision: ScalingDecision): Promise<void> {
    const memory = JSON.stringify(this.memory);
    const fits = memory !== undefined && Buffer.byteLength(memory) <= MEMORY_LIMIT;
    if (!fits) this.options.logger.warn({ bytes: memory?.length }, "policy memory too large to record; not kept");
    await this.recorder.record(lease, now, {
      kind: "decision",
      reason: decision.reason,
      desired: decision.desired,
      ...(fits ? { memory } : {}),
    });
  }

  private async apply(
    decision: ScalingDecision,
    view: readonly InstanceView[],
    lease: Lease,
    now: number,
    report: MutableReport,
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

  private async tendDraining(
    view: readonly InstanceView[],
    drainLeases: ReadonlyMap<string, Lease>,
    lease: Lease,
    now: number,
    report: MutableReport,
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

  private async noteDeparted(
    instances: readonly FleetInstance[],
    lease: Lease,
    now: number,
    report: MutableReport,
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

  private async tendHealth(
    view: readonly InstanceView[],
    lease: Lease,
    now: number,
    report: MutableReport,
  ): Promise<void> {
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

  private async protectBusy(view: readonly InstanceView[], lease: Lease): Promise<void> {
    if (this.options.fleet.protect === undefined) return;
    const busy = new Map<string, boolean>();
    for (const instance of view) {
      if (instance.phase === "running") busy.set(instance.id, instance.inFlight > 0);
      else if (instance.phase === "draining") busy.set(instance.id, true);
    }
    await this.options.fleet.protect(busy, action(`${lease.token}-protect`, lease));
  }

  private async scrubIfDue(lease: Lease, now: number): Promise<void> {
    const retention = this.options.retention;
    if (retention === false || now - this.lastScrubAt < retention.everyMs) return;
    this.lastScrubAt = now;
    const removed = await this.options.store.scrub({
      jobsFinishedBefore: now - retention.jobsMs,
      workersSeenBefore: now - retention.workersMs,
      scalerEventsBefore: now - retention.scalerEventsMs,
    });
    await this.recorder.record(lease, now, {
      kind: "scrub",
      reason: `removed ${removed.jobs} jobs, ${removed.workers} workers, ${removed.scalerEvents} scaler events`,
    });
  }

  private get drainRequestTtlMs(): number {
    return Math.max(DEFAULT_DRAIN_REQUEST_TTL_MS, this.options.drainTimeoutMs + 600_000);
  }

  private async requestDrains(ids: readonly string[], now: number): Promise<void> {
    await Promise.all(
      ids.map((id) => requestDrain(this.options.store, id, this.options.scalerId, now, this.drainRequestTtlMs)),
    );
  }

  private async drainLeases(instances: readonly FleetInstance[]): Promise<Map<string, Lease>> {
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

  private log(level: "warn" | "error", error: unknown, message: string): void {
    this.options.logger[level]({ err: error, lease: this.leaseName }, message);
  }
}

function action(id: string, lease: Lease): FleetAction {
  return { id, fencingToken: lease.token };
}

function parseMemory(stored: string | undefined): unknown {
  if (stored === undefined) return undefined;
  try {
    return JSON.parse(stored) as unknown;
  } catch {
    return undefined;
  }
}
