/**
 * The thrift-queue scaling policy: sizes the fleet so jobs wait at most the target W, from what the queue and the
 * status store say (arrival rate, learned job time T and its variability, backlog), ahead of recurring ramps it
 * learned from the daily cycle, and without flapping. Scale-in drains idle instances only, so it never kills work.
 */
import { ScalerError } from "../../errors.ts";
import {
  type ArrivalRateMemory,
  initialArrivalRate,
  observeArrivals,
  plannedArrivalRate,
  slowRateStandardError,
} from "./arrival-rate-estimator.ts";
import { type BacklogAtServe, projectedBacklog, slotsForLoadAndBacklog, slotsForSteadyLoad } from "./capacity-model.ts";
import { type DailyCycleMemory, initialDailyCycle, observeDailyCycle, predictedRampRatio } from "./daily-cycle.ts";
import {
  LONG_HOLD_MS,
  type ScaleInMemory,
  holdWindows,
  initialScaleIn,
  stabilizeScaleIn,
} from "./scale-in-stabilizer.ts";
import {
  type PolicyInput,
  type PolicyStep,
  type ScalingLimits,
  type ScalingPolicy,
  clampCapacity,
} from "./scaling-policy.ts";
import {
  type ServiceTimeMemory,
  initialServiceTime,
  observeServiceTimes,
  squaredVariation,
} from "./service-time-estimator.ts";
import { formatDuration, formatNumber, sanitizeInput } from "./policy-input.ts";
import { slotsWithQueueBuffer } from "./queue-buffer.ts";

/** Options of {@link thriftQueuePolicy}. */
export interface ThriftQueuePolicyOptions {
  /** How often the policy is evaluated. @defaultValue 10 s */
  readonly evaluationIntervalMs?: number;
  /**
   * The share of jobs the steady-load model (Erlang C) lets wait longer than W. Rounding up to whole instances and
   * the hysteresis band add capacity on top, so the measured share is far lower (0–0.02% on the bench's steady
   * traces at the default). @defaultValue 0.08
   */
  readonly lateFraction?: number;
  /** Whether the learned daily cycle launches capacity ahead of recurring ramps. @defaultValue true */
  readonly predictive?: boolean;
  /** The shortest hold before a large scale-in (otherwise a boot delay + 60 s; small drops wait 10 min). @defaultValue 2 min */
  readonly minHoldMs?: number;
  /**
   * How long a small drop (one instance, or under a quarter of the fleet) waits, including the last instances of
   * an idle fleet going to `min`: the span within which a reversal counts as a flap. An empty queue with no arrival
   * for this long counts as idle (its rate is taken as 0). @defaultValue 10 min
   */
  readonly smallDropHoldMs?: number;
  /**
   * Width of the hysteresis band: capacity is removed only when even the arrival rate raised by this many standard
   * errors of its estimate would not need it, and added only when even the rate lowered by as many would (or a
   * backlog asks for it). @defaultValue 1
   */
  readonly noiseBandDeviations?: number;
  /**
   * The job time assumed until the first job finishes (T is learned from the status store from then on).
   * @defaultValue 30 s
   */
  readonly initialServiceTimeMs?: number;
  /**
   * The shortest time an instance is billed for (EC2 and most clouds bill per second with a one-minute minimum).
   * Jobs queued behind a dump that is late whatever is launched may wait this long instead of W when W is shorter:
   * an instance launched to drain the dump faster than that is billed the minimum anyway and then idles.
   * @defaultValue 60 s
   */
  readonly billingMinimumMs?: number;
}

/** What the policy remembers between evaluations (plain JSON). */
export interface ThriftQueuePolicyMemory {
  readonly arrival: ArrivalRateMemory;
  readonly serviceTime: ServiceTimeMemory;
  readonly dailyCycle: DailyCycleMemory;
  readonly scaleIn: ScaleInMemory;
  /** When a job last arrived (Unix ms); null before any. Absent in memories of older versions. */
  readonly lastArrivalAt?: number | null;
}

/** Until this many job times were seen, T is also checked against Little's law. */
const WARM_UP_SAMPLES = 1000;

/**
 * T while few jobs have finished: the first to finish are the short ones, so the sample mean starts low (a fleet
 * sized from it would shrink, then grow back). Little's law on the jobs in flight, T ≥ in-flight / λ, bounds it from
 * below while the fleet keeps up with a steady rate, within 4× the sample mean.
 */
function warmUpServiceSeconds(sampleMean: number, samples: number, inFlight: number, ratePerSecond: number): number {
  if (samples >= WARM_UP_SAMPLES || !(ratePerSecond > 0)) return sampleMean;
  return Math.max(sampleMean, Math.min(4 * sampleMean, inFlight / ratePerSecond));
}

/**
 * The share of W the newest job of a backlog may spend waiting for the jobs ahead of it. That wait is computed from
 * estimates (T, λ) and a deterministic drain; half of W keeps the job within W when T is underestimated by half (as
 * while the estimate follows a drift) or the backlog drains slower than its mean.
 */
const NEWEST_WAIT_SHARE = 0.5;

/** Standard deviations of the backlog's growth over a lead time that the queue must absorb within W/2. */
const BUFFER_DEVIATIONS = 3;

/** Poisson standard deviations of the arrivals over the oldest job's age beyond which the backlog holds a lump. */
const LUMP_DEVIATIONS = 3;

interface ResolvedOptions {
  readonly evaluationIntervalMs: number;
  readonly lateFraction: number;
  readonly predictive: boolean;
  readonly minHoldMs: number;
  readonly smallDropHoldMs: number;
  readonly initialServiceTimeMs: number;
  readonly noiseBandDeviations: number;
  readonly billingMinimumMs: number;
}

function resolveOptions(limits: ScalingLimits, options: ThriftQueuePolicyOptions): ResolvedOptions {
  const resolved: ResolvedOptions = {
    evaluationIntervalMs: options.evaluationIntervalMs ?? 10_000,
    lateFraction: options.lateFraction ?? 0.08,
    predictive: options.predictive ?? true,
    minHoldMs: options.minHoldMs ?? 120_000,
    smallDropHoldMs: options.smallDropHoldMs ?? LONG_HOLD_MS,
    initialServiceTimeMs: options.initialServiceTimeMs ?? 30_000,
    noiseBandDeviations: options.noiseBandDeviations ?? 1,
    billingMinimumMs: options.billingMinimumMs ?? 60_000,
  };
  const problems: string[] = [];
  if (!(limits.min >= 0) || !Number.isFinite(limits.min))
    problems.push(`limits.min must be a finite number ≥ 0 (got ${limits.min})`);
  if (!(limits.max >= limits.min)) problems.push(`limits.max must be ≥ limits.min (got ${limits.max})`);
  if (!(limits.maxStep >= 1)) problems.push(`limits.maxStep must be ≥ 1 (got ${limits.maxStep})`);
  if (!(limits.targetWaitMs > 0) || !Number.isFinite(limits.targetWaitMs))
    problems.push(`limits.targetWaitMs must be a finite number > 0 (got ${limits.targetWaitMs})`);
  if (!(resolved.evaluationIntervalMs > 0))
    problems.push(`evaluationIntervalMs must be > 0 (got ${resolved.evaluationIntervalMs})`);
  if (!(resolved.lateFraction > 0 && resolved.lateFraction < 1))
    problems.push(`lateFraction must be in (0, 1) (got ${resolved.lateFraction})`);
  if (!(resolved.minHoldMs >= 0)) problems.push(`minHoldMs must be ≥ 0 (got ${resolved.minHoldMs})`);
  if (!(resolved.smallDropHoldMs >= 0)) problems.push(`smallDropHoldMs must be ≥ 0 (got ${resolved.smallDropHoldMs})`);
  if (!(resolved.initialServiceTimeMs > 0))
    problems.push(`initialServiceTimeMs must be > 0 (got ${resolved.initialServiceTimeMs})`);
  if (!(resolved.noiseBandDeviations >= 0) || !Number.isFinite(resolved.noiseBandDeviations))
    problems.push(`noiseBandDeviations must be a finite number ≥ 0 (got ${resolved.noiseBandDeviations})`);
  if (!(resolved.billingMinimumMs >= 0) || !Number.isFinite(resolved.billingMinimumMs))
    problems.push(`billingMinimumMs must be a finite number ≥ 0 (got ${resolved.billingMinimumMs})`);
  if (problems.length > 0) throw new ScalerError("SCALER_CONFIG", `thrift-queue policy: ${problems.join("; ")}`);
  return resolved;
}

/** The thrift-queue policy for these limits. Throws `ScalerError` `SCALER_CONFIG` for invalid limits or options. */
export function thriftQueuePolicy(
  limits: ScalingLimits,
  options: ThriftQueuePolicyOptions = {},
): ScalingPolicy<ThriftQueuePolicyMemory> {
  const settings = resolveOptions(limits, options);
  return {
    name: "thrift-queue",
    evaluationIntervalMs: settings.evaluationIntervalMs,
    scaleIn: "drain-idle",
    countsBooting: true,
    initialMemory: () => ({
      arrival: initialArrivalRate(),
      serviceTime: initialServiceTime(),
      dailyCycle: initialDailyCycle(),
      scaleIn: initialScaleIn(),
      lastArrivalAt: null,
    }),
    decide: (input, memory) => decide(limits, settings, input, memory),
  };
}

function decide(
  limits: ScalingLimits,
  settings: ResolvedOptions,
  rawInput: PolicyInput,
  memory: ThriftQueuePolicyMemory,
): PolicyStep<ThriftQueuePolicyMemory> {
  const input = sanitizeInput(rawInput);
  const { queue, fleet } = input;
  const perInstance = Math.max(1, input.concurrencyPerInstance);
  const queued = queue.visible + queue.inFlight + queue.delayed;
  const arrival = observeArrivals(memory.arrival, input.now, queued, input.completedSinceLast);
  const serviceTime = observeServiceTimes(memory.serviceTime, input.now, input.serviceTimesMs);
  const dailyCycle = settings.predictive
    ? observeDailyCycle(memory.dailyCycle, input.now, arrival.lastArrivals, arrival.lastIntervalMs)
    : memory.dailyCycle;

  const learned = serviceTime.samples > 0 && serviceTime.meanSeconds > 0;
  const lastArrivalAt = arrival.lastArrivals > 0 ? input.now : (memory.lastArrivalAt ?? null);
  // An empty queue that has seen no arrival for a whole flap window is idle: the averages decay toward zero only
  // asymptotically and would keep one warm instance for ever, so the rate to plan for is 0 (and the small-drop hold
  // still applies before the last instances go).
  const idle = queued === 0 && lastArrivalAt !== null && input.now - lastArrivalAt >= settings.smallDropHoldMs;
  const planned = idle ? 0 : plannedArrivalRate(arrival);
  // Little's law bounds T from below while the fleet keeps up with a steady rate (no backlog, no spike or drop in
  // progress), and also while a backlog is not draining: jobs finish no faster than they arrive, so the busy slots
  // over the arrival rate still undershoot T (a fleet that shrank on the short first jobs must not keep trusting
  // them while its backlog grows). A draining backlog (a dump) would overstate it.
  const completedPerSecond =
    arrival.lastIntervalMs > 0 ? input.completedSinceLast / (arrival.lastIntervalMs / 1000) : Infinity;
  const steadyNow = planned === arrival.slowPerSecond && (queue.visible === 0 || completedPerSecond <= planned);
  const serviceSeconds = warmUpServiceSeconds(
    learned ? serviceTime.meanSeconds : settings.initialServiceTimeMs / 1000,
    steadyNow ? serviceTime.samples : WARM_UP_SAMPLES,
    queue.inFlight,
    planned,
  );
  const variation = squaredVariation(serviceTime);
  const waitSeconds = limits.targetWaitMs / 1000;
  const bootSeconds = input.bootDelayMs / 1000;
  const leadMs = input.bootDelayMs + settings.evaluationIntervalMs;
  const ramp = settings.predictive ? predictedRampRatio(dailyCycle, input.now, leadMs) : 1;
  const rate = planned * ramp;
  // The rate raised by its noise: the scale-in side of the hysteresis band.
  const highRate = idle ? 0 : (planned + settings.noiseBandDeviations * slowRateStandardError(arrival)) * ramp;

  const oldestSeconds = (queue.oldestAgeMs ?? 0) / 1000;
  const current = fleet.running + fleet.booting;
  const runningSlots = fleet.running * perInstance;
  // `followRamp`: size for the busy slots one lead time ahead (scale-out); the scale-in side keeps the full rate,
  // since what it guards against is needing the capacity again within the flap window, not within a boot.
  const sizeFor = (ratePerSecond: number, followRamp: boolean, bufferMs: number): CapacityNeed => {
    const loadRate = followRamp
      ? rampedRate(ratePerSecond, queue.inFlight, serviceSeconds, leadMs / 1000)
      : ratePerSecond;
    const steadySlots = slotsForSteadyLoad(loadRate, serviceSeconds, variation, waitSeconds, settings.lateFraction);
    const backlog = backlogAtServe({
      visible: queue.visible,
      oldestSeconds,
      ratePerSecond,
      slots: current * perInstance,
      runningSlots,
      serviceSeconds,
      bootSeconds,
      waitSeconds,
      billingMinimumSeconds: settings.billingMinimumMs / 1000,
    });
    const modelSlots = slotsForLoadAndBacklog(
      loadRate,
      serviceSeconds,
      variation,
      waitSeconds,
      settings.lateFraction,
      backlog,
      limits.max * perInstance,
    );
    // The fractional part of the capacity is left to the queue where W is long enough to absorb it (never with a
    // lump, whose own deadline the backlog model sizes).
    const totalSlots =
      backlog.lumpJobs > 0
        ? modelSlots
        : slotsWithQueueBuffer(
            {
              ratePerSecond: loadRate,
              serviceSeconds,
              squaredVariation: variation,
              backlog: queue.visible,
              horizonSeconds: Math.max(leadMs, bufferMs) / 1000,
              runningSlots,
              bootSeconds,
              newestWaitSeconds: NEWEST_WAIT_SHARE * waitSeconds,
              deviations: BUFFER_DEVIATIONS,
            },
            modelSlots,
          );
    // Scale from zero on the first message.
    const floor = queue.visible + queue.inFlight > 0 ? 1 : 0;
    return { steadySlots, backlog, totalSlots, instances: Math.max(floor, Math.ceil(totalSlots / perInstance - 1e-9)) };
  };
  // The queue may stand in for part of the capacity: what is wanted (and the most that scale-in keeps) must hold for a
  // flap window, while scale-out waits until even a lead time is too long for the queue — a hysteresis on the
  // backlog, so a fleet between the two sizes stays put while the backlog wanders.
  const flapWindowMs = settings.smallDropHoldMs;
  const need = sizeFor(rate, true, flapWindowMs);
  const high = sizeFor(highRate, false, flapWindowMs);
  // The rate lowered by its noise: the scale-out side of the band (the backlog it is sized with catches a real rise).
  const lowRate = Math.max(0, planned - settings.noiseBandDeviations * slowRateStandardError(arrival)) * ramp;
  const low = sizeFor(lowRate, true, leadMs);

  const inFlightNeed = Math.ceil(Math.max(0, queue.inFlight - fleet.draining * perInstance) / perInstance - 1e-9);
  const hold = holdWindows(input.bootDelayMs, settings.minHoldMs, settings.smallDropHoldMs);
  const stabilized = stabilizeScaleIn(
    memory.scaleIn,
    input.now,
    { wanted: need.instances, wantedLow: low.instances, wantedHigh: high.instances },
    current,
    inFlightNeed,
    hold,
    settlingAfterDrop(arrival, input.now, SETTLING_MS),
  );
  const desired = clampCapacity(stabilized.desired, current, limits);

  const reason = describeDecision({
    rate,
    ramp,
    serviceSeconds,
    learned,
    perInstance,
    visible: queue.visible,
    need,
    desired,
    heldBy: stabilized.heldBy,
    clamped: desired !== stabilized.desired,
    limits,
  });
  return {
    decision: { desired, reason },
    memory: { arrival, serviceTime, dailyCycle, scaleIn: stabilized.memory, lastArrivalAt },
  };
}

/**
 * How long after a confirmed rate drop scale-in follows the settling estimate without hold windows. Measured on the
 * bench's bursty traces (seeds 1–3): 30 s, 60 s and 120 s cost within 0.01× of each other at boot 30 and 90 s;
 * a whole short window (boot + 60 s) let boot 240 s flap up to 8 times an hour on estimates from few intervals.
 */
const SETTLING_MS = 60_000;

/**
 * Whether the arrival rate dropped beyond doubt (a burst ended) less than `windowMs` ago. Its estimate restarted
 * then and settles as intervals come in, each a little lower than the last (the first interval may straddle the
 * end); holding the highest of those for a hold window would keep the burst's fleet for nothing, so scale-in
 * follows the settling estimate (the noise band and the in-flight floor still apply).
 */
function settlingAfterDrop(arrival: ArrivalRateMemory, now: number, windowMs: number): boolean {
  const change = arrival.change;
  return change !== undefined && change !== null && change.direction === "drop" && now - change.at < windowMs;
}

/**
 * The arrival rate the steady model sizes for after a rise: the busy slots expected one lead time (a boot and an
 * interval, when capacity decided at the next evaluation would serve) ahead, over T. Jobs in flight finish and new
 * ones start, so busy slots approach λ·T gradually — in-flight·e^(−L/T) + λ·T·(1 − e^(−L/T)) for exponential job
 * times — and capacity added for λ·T at once would idle for about T while 10-minute jobs pile up. The next
 * evaluations add the rest as the work grows; a backlog (jobs the slots could not take) is sized on its own. Never
 * more than the rate itself: after a drop, in-flight work is held by its own floor.
 */
function rampedRate(ratePerSecond: number, inFlight: number, serviceSeconds: number, leadSeconds: number): number {
  if (!(serviceSeconds > 0)) return ratePerSecond;
  const settle = Math.exp(-leadSeconds / serviceSeconds);
  const busyAhead = inFlight * settle + ratePerSecond * serviceSeconds * (1 - settle);
  return Math.min(ratePerSecond, busyAhead / serviceSeconds);
}

/** What {@link backlogAtServe} is computed from. */
interface BacklogFacts {
  readonly visible: number;
  readonly oldestSeconds: number;
  readonly ratePerSecond: number;
  /** Booting + running slots. */
  readonly slots: number;
  readonly runningSlots: number;
  readonly serviceSeconds: number;
  readonly bootSeconds: number;
  readonly waitSeconds: number;
  readonly billingMinimumSeconds: number;
}

/**
 * The backlog when capacity launched now serves, one boot from now. The queue is FIFO, so every visible job arrived
 * within the oldest one's age: more of them than the rate explains over that age (beyond Poisson noise) is a lump,
 * taken as old as the oldest job (the worst case), of which the running slots serve the head during the boot. A lump
 * that can still start within W must; one that cannot is late whatever is launched, and the jobs queued behind it
 * may wait up to the billing minimum (when longer than W) — draining it faster buys instances billed the minimum
 * that then idle, for jobs that are late anyway.
 */
function backlogAtServe(facts: BacklogFacts): BacklogAtServe {
  const { ratePerSecond, serviceSeconds, bootSeconds, waitSeconds } = facts;
  const jobs = projectedBacklog(facts.visible, ratePerSecond, facts.slots, serviceSeconds, bootSeconds);
  const explained = Math.max(0, ratePerSecond) * facts.oldestSeconds;
  const lumpNow = facts.visible - (explained + LUMP_DEVIATIONS * Math.sqrt(explained) + 3);
  const servedDuringBoot = serviceSeconds > 0 ? (facts.runningSlots / serviceSeconds) * bootSeconds : 0;
  const lump = Math.min(jobs, Math.max(0, lumpNow - servedDuringBoot));
  const lumpWaitSeconds = waitSeconds - (facts.oldestSeconds + bootSeconds);
  if (lump > 0 && !(lumpWaitSeconds > 0))
    return {
      jobs,
      newestWaitSeconds: Math.max(waitSeconds, facts.billingMinimumSeconds),
      lumpJobs: lump,
      lumpWaitSeconds,
    };
  return { jobs, newestWaitSeconds: NEWEST_WAIT_SHARE * waitSeconds, lumpJobs: lump, lumpWaitSeconds };
}

/** The sizing for one arrival rate. */
interface CapacityNeed {
  readonly steadySlots: number;
  /** The backlog when new capacity serves. */
  readonly backlog: BacklogAtServe;
  readonly totalSlots: number;
  readonly instances: number;
}

/** What a reason is written from. */
interface DecisionFacts {
  readonly rate: number;
  readonly ramp: number;
  readonly serviceSeconds: number;
  readonly learned: boolean;
  readonly perInstance: number;
  readonly visible: number;
  readonly need: CapacityNeed;
  readonly desired: number;
  readonly heldBy: string | null;
  readonly clamped: boolean;
  readonly limits: ScalingLimits;
}

/** `λ 2.1/s × T 58 s ÷ 4/inst = 30.5 inst; backlog 120 (95 after boot) within 30 s: +4 → 35 (held 600 s at 35)`. */
function describeDecision(facts: DecisionFacts): string {
  const { need, perInstance, limits } = facts;
  const rampNote = facts.ramp > 1 ? ` (×${formatNumber(facts.ramp)} daily ramp ahead)` : "";
  const assumed = facts.learned ? "" : " (assumed)";
  const parts = [
    `λ ${formatNumber(facts.rate)}/s${rampNote} × T ${formatDuration(facts.serviceSeconds)}${assumed} ÷ ${perInstance}/inst = ${formatNumber(need.steadySlots / perInstance)} inst`,
  ];
  const drainInstances = (need.totalSlots - need.steadySlots) / perInstance;
  if (drainInstances < 0) parts.push(`queue absorbs ${formatNumber(-drainInstances)} inst`);
  if (drainInstances > 0) {
    const { backlog } = need;
    const projected = Math.round(backlog.jobs) === facts.visible ? "" : ` (${formatNumber(backlog.jobs)} after boot)`;
    const lump =
      backlog.lumpJobs > 0 && backlog.lumpWaitSeconds > 0
        ? `, a lump of ${formatNumber(backlog.lumpJobs)} within ${formatDuration(backlog.lumpWaitSeconds)}`
        : "";
    parts.push(
      `backlog ${facts.visible}${projected} within ${formatDuration(backlog.newestWaitSeconds)}${lump}: +${formatNumber(drainInstances)}`,
    );
  }
  let tail = `→ ${facts.desired}`;
  if (facts.heldBy !== null) tail += ` (${facts.heldBy})`;
  if (facts.clamped) tail += ` (limits ${limits.min}..${limits.max}, max step ${limits.maxStep})`;
  return `${parts.join("; ")} ${tail}`;
}
