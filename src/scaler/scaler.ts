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
import { SCALER_EVENT_LIMITS } from "../status/status-checks.ts";
import { FleetCare, type FleetActions } from "./fleet-care.ts";
import { countPhases, viewFleet } from "./fleet-view.ts";
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

interface MutableReport extends FleetActions {
  leader: boolean;
  decision: ScalingDecision | undefined;
}

/** A scaler for one fleet. */
export class Scaler {
  private readonly options: ResolvedScalerOptions;
  private readonly election: LeaderElection;
  private readonly recorder: ScalerRecorder;
  private readonly activity: JobActivitySampler;
  private memory: unknown;
  private lastDecisionAt = Number.NEGATIVE_INFINITY;
  private lastScrubAt = Number.NEGATIVE_INFINITY;
  private readonly care: FleetCare;
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
    this.care = new FleetCare(this.options, this.recorder);
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
  tick(): Promise<TickReport> {
    // Chained synchronously, so calls that overlap (the loop and a caller) run one after the other.
    const next = (this.ticking ?? Promise.resolve()).catch(() => undefined).then(() => this.tickOnce());
    this.ticking = next;
    return next;
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
    this.care.reset();
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
    const drainLeases = await this.care.drainLeases(instances);
    const view = viewFleet(instances, workers, new Set(drainLeases.keys()), now, this.options);
    await this.care.noteDeparted(instances, lease, now, report);
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
      await this.care.resize(step.decision, view, lease, now, report);
    }
    await this.care.tendDraining(view, drainLeases, lease, now, report);
    await this.care.tendHealth(view, lease, now, report);
    await this.care.protectBusy(view, lease);
    await this.scrubIfDue(lease, now);
  }

  private async recordDecision(lease: Lease, now: number, decision: ScalingDecision): Promise<void> {
    const memory = JSON.stringify(this.memory);
    const fits = memory !== undefined && Buffer.byteLength(memory) <= SCALER_EVENT_LIMITS.memoryBytes;
    if (!fits) this.options.logger.warn({ bytes: memory?.length }, "policy memory too large to record; not kept");
    await this.recorder.record(lease, now, {
      kind: "decision",
      reason: decision.reason,
      desired: decision.desired,
      ...(fits ? { memory } : {}),
    });
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

  private log(level: "warn" | "error", error: unknown, message: string): void {
    this.options.logger[level]({ err: error, lease: this.leaseName }, message);
  }
}

function parseMemory(stored: string | undefined): unknown {
  if (stored === undefined) return undefined;
  try {
    return JSON.parse(stored) as unknown;
  } catch {
    return undefined;
  }
}
