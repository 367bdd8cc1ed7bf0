/**
 * The discrete-event scaling simulator: replays a trace against a policy through the ScalingPolicy contract and
 * measures waits, the bill against the clairvoyant lower bound, actions, flaps and work killed by scale-in.
 *
 * Model. Jobs arrive per the trace into one FIFO queue. Instances boot for `bootDelayMs`, then run up to
 * `concurrencyPerInstance` jobs at once. The policy is evaluated every `policy.evaluationIntervalMs` from time 0
 * and sees only what a real scaler sees (queue counts, oldest age, fleet counts, jobs completed and their service
 * times since the previous evaluation). Its `desired` is applied at once: launches, or removals per
 * `policy.scaleIn` (see scale-in.ts). After the trace ends the run continues until the queue is empty and every
 * job finished, then every instance is terminated and billed.
 *
 * Events live in a binary heap (completions and boots); arrivals come lazily from the trace's cursor, so memory
 * stays bounded by the fleet, not by the number of jobs.
 */
import type { PolicyInput } from "../policy/scaling-policy.ts";
import { EventHeap } from "./event-heap.ts";
import { LeaderTimeline } from "./leader-timeline.ts";
import { JobQueue } from "./job-queue.ts";
import { JobSource } from "./job-source.ts";
import { LowerBoundAccumulator } from "./lower-bound.ts";
import { removeInstances } from "./scale-in.ts";
import { deriveSeed, seededRandom } from "./seeded-random.ts";
import { SimulatedFleet } from "./simulated-fleet.ts";
import { checkSimulationOptions } from "./simulation-checks.ts";
import type { SimulationOptions, SimulationResult } from "./simulation-types.ts";
import { meanServiceMs } from "./trace-spec.ts";
import { WaitRecorder } from "./wait-statistics.ts";

const COMPLETION = 0;
const BOOT = 1;
const FLAP_WINDOW_MS = 10 * 60_000;
const DEFAULT_START = Date.UTC(2026, 0, 5);

/**
 * Runs one trace against one policy; deterministic for a given seed. Throws `ScalerError` `SCALER_CONFIG` for
 * invalid options.
 */
export function simulate<Memory>(options: SimulationOptions<Memory>): SimulationResult {
  checkSimulationOptions(options);
  const { trace, policy, targetWaitMs, bootDelayMs, concurrencyPerInstance } = options;
  const seed = options.seed ?? 1;
  const startTime = options.startTimeMs ?? DEFAULT_START;
  const initialInstances = options.initialInstances ?? 0;
  const stopAt = trace.durationMs + (options.maxDrainMs ?? 2 * 86_400_000);
  const victimRandom = seededRandom(deriveSeed(seed, 3));

  const source = new JobSource(trace, seed);
  const queue = new JobQueue();
  const heap = new EventHeap();
  const fleet = new SimulatedFleet(concurrencyPerInstance);
  const waits = new WaitRecorder(targetWaitMs);
  const bound = new LowerBoundAccumulator({
    targetWaitMs,
    bootDelayMs,
    concurrencyPerInstance,
    maxInstances: options.maxInstances,
    initialInstances,
  });
  const leader = new LeaderTimeline(options.leaderCrash);
  for (let i = 0; i < initialInstances; i += 1) fleet.launch(0, true);

  let memory = policy.initialMemory();
  let now = 0;
  let nextEvaluation = 0;
  let evaluations = 0;
  let completedSinceLast = 0;
  let serviceTimes: number[] = [];
  let killed = 0;
  let actions = 0;
  let flaps = 0;
  let lastDirection = 0;
  let lastActionAt = -Infinity;
  let peak = fleet.capacity;
  const requeue = (arrivalMs: number, serviceMs: number): void => queue.pushFront(arrivalMs, serviceMs);

  const dispatch = (): void => {
    while (queue.length > 0) {
      const id = fleet.instanceWithFreeSlot();
      if (id < 0) return;
      const slot = fleet.startJob(id, now, queue.peekArrival(), queue.peekService());
      heap.push(fleet.slotEndAt(slot), COMPLETION, slot);
      queue.shift();
    }
  };

  /** Applies a decision once per id: the simulated fleet is idempotent per decision id like EC2's ClientToken. */
  const apply = (decisionId: number, wanted: number): void => {
    if (!leader.firstApplication(decisionId)) return;
    const current = fleet.capacity;
    // A contract-breaking desired (fractional, negative, NaN) is rounded or ignored rather than corrupting the fleet.
    const desired = Number.isFinite(wanted) ? Math.max(0, Math.round(wanted)) : current;
    if (desired === current) return;
    const direction = desired > current ? 1 : -1;
    if (direction > 0) {
      for (let i = current; i < desired; i += 1) {
        const id = fleet.launch(now, bootDelayMs <= 0);
        if (bootDelayMs > 0) heap.push(now + bootDelayMs, BOOT, id);
      }
      leader.launched(decisionId, desired - current);
      peak = Math.max(peak, fleet.capacity);
    } else {
      killed += removeInstances(fleet, policy.scaleIn, current - desired, now, victimRandom, requeue);
    }
    actions += 1;
    if (lastDirection !== 0 && direction !== lastDirection && now - lastActionAt <= FLAP_WINDOW_MS) flaps += 1;
    lastDirection = direction;
    lastActionAt = now;
  };

  /** One evaluation; false when the leader died before applying its decision (see leader-timeline.ts). */
  const evaluate = (): boolean => {
    const oldest = queue.oldestArrival();
    const input: PolicyInput = {
      now: startTime + now,
      queue: {
        visible: queue.length,
        inFlight: fleet.busySlots,
        delayed: 0,
        oldestAgeMs: oldest === undefined ? undefined : now - oldest,
      },
      fleet: fleet.fleetCounts(),
      completedSinceLast,
      serviceTimesMs: serviceTimes,
      concurrencyPerInstance,
      bootDelayMs,
    };
    completedSinceLast = 0;
    serviceTimes = [];
    const step = policy.decide(input, memory);
    memory = step.memory;
    const decisionId = evaluations++;
    leader.recorded(decisionId, step.decision.desired);
    options.onEvaluation?.({ atMs: now, input, decision: step.decision });
    if (leader.diesBeforeApplying(now)) return false;
    apply(decisionId, step.decision.desired);
    return true;
  };

  for (;;) {
    const finished = source.arrivalMs === Infinity && queue.length === 0 && fleet.busySlots === 0;
    if (finished || now > stopAt) break;
    const heapTime = heap.peekTime();
    if (heapTime <= source.arrivalMs && heapTime <= nextEvaluation && heapTime <= leader.nextChangeAt()) {
      now = heapTime;
      const kind = heap.peekKind();
      const id = heap.peekId();
      heap.pop();
      if (kind === BOOT) fleet.bootCompleted(id);
      else if (fleet.slotEndAt(id) === now) {
        const serviceMs = fleet.slotServiceAt(id);
        waits.record(now - serviceMs - fleet.slotArrivalAt(id));
        completedSinceLast += 1;
        serviceTimes.push(serviceMs);
        fleet.completeSlot(id, now);
      }
      dispatch();
    } else if (source.arrivalMs <= Math.min(nextEvaluation, leader.nextChangeAt())) {
      now = source.arrivalMs;
      queue.pushBack(now, source.serviceMs);
      bound.add(now, source.serviceMs);
      source.advance();
      dispatch();
    } else if (leader.nextChangeAt() <= nextEvaluation) {
      now = leader.nextChangeAt();
      const takeover = leader.change(now);
      if (takeover === undefined) {
        // The leader died: nothing is evaluated until the standby takes over.
        nextEvaluation = leader.nextChangeAt();
      } else {
        // The standby re-applies the last recorded decision (a no-op once applied), then evaluates on.
        apply(takeover.lastDecisionId, takeover.lastDesired);
        nextEvaluation = evaluate() ? now + policy.evaluationIntervalMs : leader.nextChangeAt();
        dispatch();
      }
    } else {
      now = nextEvaluation;
      nextEvaluation = evaluate() ? now + policy.evaluationIntervalMs : leader.nextChangeAt();
      dispatch();
    }
  }

  let unfinished = 0;
  for (let slot = 0; slot < fleet.launched * concurrencyPerInstance; slot += 1) {
    if (Number.isNaN(fleet.slotEndAt(slot))) continue;
    waits.record(now - fleet.slotArrivalAt(slot));
    unfinished += 1;
  }
  while (queue.length > 0) {
    waits.record(now - queue.peekArrival());
    queue.shift();
    unfinished += 1;
  }
  fleet.terminateAll(now);

  const lowerBound = bound.result();
  const hours = trace.durationMs / 3_600_000;
  return {
    trace: trace.name,
    policy: policy.name,
    bootDelayS: bootDelayMs / 1000,
    targetWaitS: targetWaitMs / 1000,
    jobTimeS: meanServiceMs(trace.serviceTime) / 1000,
    concurrencyPerInstance,
    ...waits.summarize(),
    instanceSeconds: fleet.billedSeconds,
    lowerBoundInstanceSeconds: lowerBound.instanceSeconds,
    costVsLowerBound: lowerBound.instanceSeconds > 0 ? fleet.billedSeconds / lowerBound.instanceSeconds : 1,
    actions,
    flaps,
    flapsPerHour: hours > 0 ? flaps / hours : 0,
    killedByScaleIn: killed,
    launches: fleet.launched - initialInstances,
    peakInstances: peak,
    evaluations,
    unfinishedJobs: unfinished,
    simulatedS: now / 1000,
    ...(options.leaderCrash === undefined ? {} : { failover: leader.result() }),
  };
}
