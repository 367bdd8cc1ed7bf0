/** The thrift-queue policy: scale from zero, caps, spikes, stability, learned T, prediction, safety, memory. */
import { describe, expect, it } from "vitest";
import { ScalerError } from "../../../../src/errors.ts";
import type { PolicyInput, ScalingLimits } from "../../../../src/scaler/policy/scaling-policy.ts";
import {
  type ThriftQueuePolicyMemory,
  type ThriftQueuePolicyOptions,
  thriftQueuePolicy,
} from "../../../../src/scaler/policy/thrift-queue-policy.ts";
import { simulate } from "../../../../src/scaler/simulation/simulator.ts";

const LIMITS: ScalingLimits = { min: 0, max: 1000, maxStep: 1000, targetWaitMs: 30_000 };
const START = Date.UTC(2026, 0, 5); // a Monday, midnight UTC
const DAY_MS = 86_400_000;

/** A deterministic pseudo-random source (LCG), so noisy sequences are the same on every run. */
function randomSource(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1_664_525) + 1_013_904_223) >>> 0;
    return (state + 0.5) / 4_294_967_296;
  };
}

/** A Poisson count (Knuth for small means, normal approximation above). */
function poisson(mean: number, random: () => number): number {
  if (mean > 50) {
    const normal = Math.sqrt(-2 * Math.log(random())) * Math.cos(2 * Math.PI * random());
    return Math.max(0, Math.round(mean + Math.sqrt(mean) * normal));
  }
  const limit = Math.exp(-mean);
  let k = 0;
  let product = random();
  while (product > limit) {
    k += 1;
    product *= random();
  }
  return k;
}

function input(
  overrides: Partial<PolicyInput> & { visible?: number; inFlight?: number; running?: number },
): PolicyInput {
  return {
    now: overrides.now ?? START,
    queue: overrides.queue ?? {
      visible: overrides.visible ?? 0,
      inFlight: overrides.inFlight ?? 0,
      delayed: 0,
      oldestAgeMs: undefined,
    },
    fleet: overrides.fleet ?? { booting: 0, running: overrides.running ?? 0, draining: 0 },
    completedSinceLast: overrides.completedSinceLast ?? 0,
    serviceTimesMs: overrides.serviceTimesMs ?? [],
    concurrencyPerInstance: overrides.concurrencyPerInstance ?? 4,
    bootDelayMs: overrides.bootDelayMs ?? 30_000,
  };
}

interface SteadyStep {
  readonly desired: number;
  readonly reason: string;
}

/**
 * Feeds the policy a queue in steady state at a rate that may change over time: Poisson arrivals, every job served
 * at once (no backlog), service times drawn around `serviceMs(t)`, and the fleet equal to the previous decision.
 */
function runSteady(
  options: {
    readonly rate: (time: number) => number;
    readonly serviceMs: (time: number) => number;
    readonly durationMs: number;
    readonly start?: number;
    readonly seed?: number;
    readonly limits?: ScalingLimits;
    readonly policyOptions?: ThriftQueuePolicyOptions;
    readonly onStep?: (time: number, step: SteadyStep) => void;
  },
  initial?: ThriftQueuePolicyMemory,
): { steps: SteadyStep[]; memory: ThriftQueuePolicyMemory } {
  const policy = thriftQueuePolicy(options.limits ?? LIMITS, options.policyOptions);
  const random = randomSource(options.seed ?? 7);
  let memory = initial ?? policy.initialMemory();
  let running = 0;
  const steps: SteadyStep[] = [];
  const interval = policy.evaluationIntervalMs;
  const start = options.start ?? START;
  // Jobs in service, as their finish times (an infinite-server queue: the fleet is never the bottleneck here).
  let inService: { end: number; serviceMs: number }[] = [];
  for (let now = start; now < start + options.durationMs; now += interval) {
    const serviceMs = options.serviceMs(now);
    const arrivals = poisson((options.rate(now) * interval) / 1000, random);
    for (let i = 0; i < arrivals; i += 1) {
      const time = serviceMs * (0.5 + random());
      inService.push({ end: now - random() * interval + time, serviceMs: time });
    }
    const finished = inService.filter((job) => job.end <= now);
    inService = inService.filter((job) => job.end > now);
    const result = policy.decide(
      input({
        now,
        inFlight: inService.length,
        running,
        completedSinceLast: finished.length,
        serviceTimesMs: finished.map((job) => job.serviceMs),
      }),
      memory,
    );
    memory = result.memory;
    running = result.decision.desired;
    steps.push(result.decision);
    options.onStep?.(now, result.decision);
  }
  return { steps, memory };
}

describe("thriftQueuePolicy", () => {
  it("describes itself: name, drain-idle scale-in, a short interval", () => {
    const policy = thriftQueuePolicy(LIMITS);
    expect(policy.name).toBe("thrift-queue");
    expect(policy.scaleIn).toBe("drain-idle");
    expect(policy.evaluationIntervalMs).toBeGreaterThanOrEqual(5_000);
    expect(policy.evaluationIntervalMs).toBeLessThanOrEqual(15_000);
  });

  it("refuses invalid limits with a SCALER_CONFIG error naming every bad field", () => {
    const attempt = (): unknown => thriftQueuePolicy({ min: 5, max: 2, maxStep: 0, targetWaitMs: 0 });
    expect(attempt).toThrow(ScalerError);
    expect(attempt).toThrow(/limits\.max.*limits\.maxStep.*limits\.targetWaitMs/s);
    try {
      attempt();
    } catch (error) {
      expect((error as ScalerError).code).toBe("SCALER_CONFIG");
    }
  });

  it("scales from zero on the first message", () => {
    const policy = thriftQueuePolicy(LIMITS);
    const idle = policy.decide(input({}), policy.initialMemory());
    expect(idle.decision.desired).toBe(0);
    const first = policy.decide(input({ now: START + 10_000, visible: 1 }), idle.memory);
    expect(first.decision.desired).toBeGreaterThanOrEqual(1);
    // Even with no history at all.
    const cold = policy.decide(input({ visible: 1 }), policy.initialMemory());
    expect(cold.decision.desired).toBeGreaterThanOrEqual(1);
  });

  it("honours min, max and maxStep", () => {
    const limits = { min: 2, max: 7, maxStep: 3, targetWaitMs: 30_000 };
    const policy = thriftQueuePolicy(limits);
    expect(policy.decide(input({}), policy.initialMemory()).decision.desired).toBe(2);
    const flood = input({ visible: 100_000, running: 0, serviceTimesMs: [60_000] });
    const stepped = policy.decide(flood, policy.initialMemory());
    expect(stepped.decision.desired).toBe(3);
    expect(stepped.decision.reason).toMatch(/max step 3/);
    const capped = policy.decide({ ...flood, fleet: { booting: 0, running: 6, draining: 0 } }, policy.initialMemory());
    expect(capped.decision.desired).toBe(7);
  });

  it("reacts to a spike within two evaluations", () => {
    const rate = (time: number): number => (time < START + 1_800_000 ? 1 : 10);
    const decisions: { time: number; desired: number }[] = [];
    runSteady({
      rate,
      serviceMs: () => 20_000,
      durationMs: 1_800_000 + 20_000,
      onStep: (time, step) => decisions.push({ time, desired: step.desired }),
    });
    const before = decisions.filter((d) => d.time < START + 1_800_000).at(-1)?.desired ?? 0;
    const after = decisions.at(-1)?.desired ?? 0;
    // 1/s × 20 s = 20 slots ≈ 5-7 instances; 10/s needs about 50.
    expect(before).toBeGreaterThan(4);
    expect(after).toBeGreaterThan(4 * before);
  });

  it("does not flap under steady Poisson noise (at most one reversal within 10 min per hour)", () => {
    const changes: { time: number; direction: number }[] = [];
    let last = -1;
    runSteady({
      rate: () => 2,
      serviceMs: () => 30_000,
      durationMs: 6 * 3_600_000,
      onStep: (time, step) => {
        if (last >= 0 && step.desired !== last) changes.push({ time, direction: Math.sign(step.desired - last) });
        last = step.desired;
      },
    });
    const settled = changes.filter((change) => change.time > START + 1_800_000);
    let flaps = 0;
    for (let i = 1; i < settled.length; i += 1) {
      const previous = settled[i - 1];
      const change = settled[i];
      if (previous && change && previous.direction !== change.direction && change.time - previous.time < 600_000)
        flaps += 1;
    }
    expect(flaps).toBeLessThanOrEqual(5);
  });

  it("learns T from the status store's service times instead of being told it", () => {
    const { steps } = runSteady({ rate: () => 1, serviceMs: () => 40_000, durationMs: 1_800_000 });
    const last = steps.at(-1);
    expect(last?.reason).toMatch(/T 40(\.\d)? s/);
    // 1/s × 40 s = 40 slots plus a margin, 4 per instance.
    expect(last?.desired).toBeGreaterThanOrEqual(10);
    expect(last?.desired).toBeLessThanOrEqual(15);
  });

  it("does not shrink on the short jobs that finish first (Little's law bounds T while few jobs finished)", () => {
    const policy = thriftQueuePolicy(LIMITS);
    let memory = policy.initialMemory();
    let desired = 0;
    // 0.8 job/s, 120 in flight (so T is really 150 s), but the jobs that finished so far took 40 s each; past the
    // 10 min hold a fleet sized from 40 s would shrink to the 30 instances the in-flight jobs occupy, leaving
    // nothing for the next arrivals.
    for (let i = 0; i < 80; i += 1) {
      const step = policy.decide(
        input({
          now: START + i * 10_000,
          inFlight: 120,
          running: desired === 0 ? 40 : desired,
          completedSinceLast: i === 0 ? 0 : 8,
          serviceTimesMs: i === 0 ? [] : new Array<number>(8).fill(40_000),
        }),
        memory,
      );
      memory = step.memory;
      desired = step.decision.desired;
    }
    expect(desired).toBeGreaterThanOrEqual(33);
  });

  it("bounds T by Little's law while a backlog grows during warm-up, not only while the queue is empty", () => {
    // The 10 s jobs finish first while 40 s ones hold the 44 busy slots: 1.3 jobs/s arrive, 0.8/s finish, the
    // backlog grows. Busy slots / arrival rate = 34 s says T is far above the 10 s sample mean.
    const policy = thriftQueuePolicy({ ...LIMITS, targetWaitMs: 300_000 });
    let memory = policy.initialMemory();
    let reason = "";
    for (let i = 0; i < 60; i += 1) {
      const step = policy.decide(
        input({
          now: START + i * 10_000,
          queue: { visible: 5 * i, inFlight: 44, delayed: 0, oldestAgeMs: i > 0 ? 60_000 : undefined },
          running: 11,
          completedSinceLast: 8,
          serviceTimesMs: new Array<number>(8).fill(10_000),
        }),
        memory,
      );
      memory = step.memory;
      reason = step.decision.reason;
    }
    const seconds = Number(/T ([\d.]+) s/.exec(reason)?.[1] ?? "0");
    expect(seconds).toBeGreaterThan(30);
    expect(seconds).toBeLessThanOrEqual(40);
  });

  it("follows the ramp of busy slots after a rise of 10-minute jobs instead of launching λ·T at once", () => {
    // 0.06 → 0.32 jobs/s of 10 min jobs: busy slots grow from ~36 to ~192 over about T; the fleet follows them.
    // Run in the simulator: with W = T/2 the policy leaves part of the capacity to the queue while it can absorb it,
    // so the fleet is only meaningful where jobs that find no slot wait in a queue.
    const step = 4 * 3_600_000;
    const decisions: { time: number; desired: number }[] = [];
    const result = simulate({
      trace: {
        name: "ramp",
        durationMs: step + 3_600_000,
        arrivals: { kind: "step", ratePerSecond: 0.06, factor: 0.32 / 0.06, startMs: step, lengthMs: 3_600_000 },
        serviceTime: { kind: "exponential", meanMs: 600_000 },
      },
      policy: thriftQueuePolicy({ ...LIMITS, targetWaitMs: 300_000 }),
      targetWaitMs: 300_000,
      bootDelayMs: 30_000,
      concurrencyPerInstance: 4,
      maxInstances: 1000,
      seed: 7,
      initialInstances: 10,
      onEvaluation: (record) => decisions.push({ time: record.atMs, desired: record.decision.desired }),
    });
    const at = (offsetMs: number): number =>
      decisions.filter((d) => d.time <= step + offsetMs).at(-1)?.desired ?? Number.NaN;
    expect(at(-10_000)).toBeLessThan(15);
    // Two minutes in, ~75 slots are busy: far from the 48+ instances λ·T asks for.
    expect(at(120_000)).toBeLessThan(30);
    expect(at(3_600_000)).toBeGreaterThan(45);
    expect(result.sloAttainment).toBe(1);
  });

  it("releases a burst's fleet within a minute or so of the burst's end, not after its hold windows", () => {
    // 0.64 → 3.2 jobs/s of 60 s jobs for 20 min (the bench's MMPP burst), W = 30 s, boot 30 s: ~51 instances in the
    // burst, ~12 after. The end is confirmed within two evaluations; the fleet then follows the settling estimate
    // and the jobs still in flight (mean 60 s), instead of holding ~51 for the 2-minute short window first.
    const end = 50 * 60_000;
    const fleet: { time: number; serving: number }[] = [];
    const result = simulate({
      trace: {
        name: "burst",
        durationMs: end + 30 * 60_000,
        arrivals: { kind: "step", ratePerSecond: 0.64, factor: 5, startMs: 30 * 60_000, lengthMs: 20 * 60_000 },
        serviceTime: { kind: "exponential", meanMs: 60_000 },
      },
      policy: thriftQueuePolicy(LIMITS),
      targetWaitMs: 30_000,
      bootDelayMs: 30_000,
      concurrencyPerInstance: 4,
      maxInstances: 1000,
      seed: 3,
      initialInstances: 12,
      onEvaluation: (record) =>
        fleet.push({ time: record.atMs, serving: record.input.fleet.running + record.input.fleet.booting }),
    });
    const at = (offsetMs: number): number => fleet.filter((f) => f.time <= end + offsetMs).at(-1)?.serving ?? NaN;
    expect(at(-10_000)).toBeGreaterThan(45);
    // 90 s after the end: not held at the burst's size (the in-flight jobs still keep some of it).
    expect(at(90_000)).toBeLessThan(30);
    expect(at(10 * 60_000)).toBeLessThanOrEqual(15);
    expect(result.sloAttainment).toBeGreaterThan(0.99);
  });

  it("leaves the fraction of an instance to the queue when W is long against T", () => {
    // 64 Erlangs of 60 s jobs, W = 5 min: 16 four-slot instances are all busy (unstable alone), Erlang C asks 17.
    // With the queue absorbing the fraction the fleet spends most of its time at 16, jobs still start within W.
    const result = simulate({
      trace: {
        name: "steady",
        durationMs: 6 * 3_600_000,
        arrivals: { kind: "poisson", ratePerSecond: 64 / 60 },
        serviceTime: { kind: "exponential", meanMs: 60_000 },
      },
      policy: thriftQueuePolicy({ ...LIMITS, targetWaitMs: 300_000 }),
      targetWaitMs: 300_000,
      bootDelayMs: 90_000,
      concurrencyPerInstance: 4,
      maxInstances: 1000,
      seed: 1,
      initialInstances: 17,
    });
    expect(result.sloAttainment).toBe(1);
    expect(result.p99WaitS).toBeLessThan(150);
    expect(result.instanceSeconds / result.simulatedS).toBeLessThan(16.5);
    expect(result.costVsLowerBound).toBeLessThan(1.06);
    expect(result.flaps).toBeLessThanOrEqual(1);
  });

  it("follows a drift in T", () => {
    const { steps } = runSteady({
      rate: () => 1,
      serviceMs: (time) => (time < START + 3_600_000 ? 20_000 : 40_000),
      durationMs: 3 * 3_600_000,
    });
    const atHalf = steps[Math.floor(steps.length / 3) - 1]?.desired ?? 0;
    const atEnd = steps.at(-1)?.desired ?? 0;
    expect(steps.at(-1)?.reason).toMatch(/T (39|40|41)(\.\d)? s/);
    expect(atEnd).toBeGreaterThan(1.6 * atHalf);
  });

  it("launches ahead of a recurring morning ramp once it has seen a few days", () => {
    // 0.5/s at night, 8/s from 08:00 to 18:00 every day.
    const rate = (time: number): number => {
      const hour = ((time - START) % DAY_MS) / 3_600_000;
      return hour >= 8 && hour < 18 ? 8 : 0.5;
    };
    const limits = { ...LIMITS, targetWaitMs: 30_000 };
    const options = { rate, serviceMs: () => 20_000, limits, durationMs: 4 * DAY_MS };
    const predictive = runSteady({ ...options, policyOptions: { predictive: true } });
    const reactive = runSteady({ ...options, policyOptions: { predictive: false } });
    // One boot delay (30 s) plus an evaluation before 08:00 on the fifth day.
    const early = START + 4 * DAY_MS + 8 * 3_600_000 - 35_000;
    const continueTo = (memory: ThriftQueuePolicyMemory, predictiveOn: boolean): SteadyStep | undefined =>
      runSteady(
        {
          ...options,
          start: START + 4 * DAY_MS,
          durationMs: early - (START + 4 * DAY_MS),
          policyOptions: { predictive: predictiveOn },
        },
        memory,
      ).steps.at(-1);
    const ahead = continueTo(predictive.memory, true);
    const behind = continueTo(reactive.memory, false);
    expect(ahead?.reason).toMatch(/daily ramp ahead/);
    expect(ahead?.desired ?? 0).toBeGreaterThan(3 * (behind?.desired ?? 0));
  });

  it("drains a dump that is late whatever is launched within the billing minimum, not within a fraction of W", () => {
    // 16 jobs/s of 1 s jobs on 5 instances, then 5 000 jobs at once with a 90 s boot > W = 30 s: the dump is late
    // anyway. ~4 600 jobs after the boot, drained in 60 s, need ~77 slots: about 20 instances (a W/2 drain asked 81).
    const limits = { ...LIMITS, max: 150 };
    const { steps, memory } = runSteady({ rate: () => 16, serviceMs: () => 1000, durationMs: 1_800_000, limits });
    const running = steps.at(-1)?.desired ?? 0;
    const dump = input({
      now: START + 1_800_000,
      queue: { visible: 5000, inFlight: 4 * running, delayed: 0, oldestAgeMs: 0 },
      running,
      completedSinceLast: 160,
      bootDelayMs: 90_000,
    });
    const step = thriftQueuePolicy(limits).decide(dump, memory);
    expect(running).toBeLessThanOrEqual(6);
    expect(step.decision.desired).toBeGreaterThanOrEqual(15);
    expect(step.decision.desired).toBeLessThanOrEqual(30);
    expect(step.decision.reason).toMatch(/backlog 5000 \(\d+ after boot\) within 60 s/);
    // With a one-minute W the same dump is drained within W: the billing minimum only stretches a shorter W.
    const longerW = thriftQueuePolicy({ ...limits, targetWaitMs: 60_000 }).decide(dump, memory);
    expect(longerW.decision.reason).toMatch(/within 60 s/);
  });

  it("adds no instance for a backlog that the fleet serves well within W", () => {
    // 1.1 jobs/s of 60 s jobs, W = 5 min: 35 queued jobs start within ~30 s on ~17 busy instances.
    const limits = { ...LIMITS, targetWaitMs: 300_000 };
    const { steps, memory } = runSteady({
      rate: () => 1.1,
      serviceMs: () => 60_000,
      durationMs: 2 * 3_600_000,
      limits,
    });
    const running = steps.at(-1)?.desired ?? 0;
    const decideWith = (visible: number): number =>
      thriftQueuePolicy(limits).decide(
        input({
          now: START + 2 * 3_600_000,
          queue: { visible, inFlight: 4 * running, delayed: 0, oldestAgeMs: visible > 0 ? 27_000 : undefined },
          running,
          completedSinceLast: 11,
          bootDelayMs: 90_000,
        }),
        memory,
      ).decision.desired;
    expect(decideWith(35)).toBeLessThanOrEqual(Math.max(running, decideWith(0)));
  });

  it("never scales in below the instances the in-flight work occupies", () => {
    const policy = thriftQueuePolicy(LIMITS);
    let memory = policy.initialMemory();
    for (let i = 0; i < 200; i += 1) {
      const step = policy.decide(input({ now: START + i * 10_000, inFlight: 40, running: 10 }), memory);
      memory = step.memory;
      expect(step.decision.desired).toBeGreaterThanOrEqual(10);
    }
  });

  it("scales in after the hold window once the load is gone", () => {
    const policy = thriftQueuePolicy(LIMITS);
    let memory = policy.initialMemory();
    let desired = 0;
    for (let i = 0; i < 60; i += 1) {
      const step = policy.decide(input({ now: START + i * 10_000, inFlight: 0, running: 10 }), memory);
      memory = step.memory;
      desired = step.decision.desired;
    }
    expect(desired).toBe(0);
  });

  it("lets the last instance of an idle fleet go after smallDropHoldMs (10 min by default)", () => {
    const lastIdleStep = (options: Parameters<typeof thriftQueuePolicy>[1], seconds: number): number => {
      const policy = thriftQueuePolicy(LIMITS, options);
      let memory = policy.initialMemory();
      let desired = 1;
      for (let at = 0; at <= seconds * 1000; at += 10_000) {
        const step = policy.decide(input({ now: START + at, running: desired }), memory);
        memory = step.memory;
        desired = step.decision.desired;
      }
      return desired;
    };
    expect(lastIdleStep({}, 590)).toBe(1);
    expect(lastIdleStep({}, 620)).toBe(0);
    expect(lastIdleStep({ smallDropHoldMs: 60_000, minHoldMs: 0 }, 50)).toBe(1);
    expect(lastIdleStep({ smallDropHoldMs: 60_000, minHoldMs: 0 }, 130)).toBe(0);
    expect(() => thriftQueuePolicy(LIMITS, { smallDropHoldMs: -1 })).toThrow(/smallDropHoldMs must be ≥ 0/);
  });

  it("takes an empty queue with no arrival for a flap window as idle, so a fleet that served a burst reaches zero", () => {
    const run = (arrivalEveryMs: number | undefined, seconds: number): number => {
      const policy = thriftQueuePolicy(LIMITS, { smallDropHoldMs: 60_000, minHoldMs: 0 });
      let memory = policy.initialMemory();
      let desired = 0;
      for (let at = 0; at <= seconds * 1000; at += 10_000) {
        const burst = at < 30_000;
        const trickle = arrivalEveryMs !== undefined && at > 0 && at % arrivalEveryMs === 0;
        const completed = burst ? 40 : trickle ? 1 : 0;
        const step = policy.decide(
          input({ now: START + at, running: desired, completedSinceLast: completed, serviceTimesMs: [1000] }),
          memory,
        );
        memory = step.memory;
        desired = step.decision.desired;
      }
      return desired;
    };
    expect(run(undefined, 20)).toBeGreaterThanOrEqual(1);
    // Idle after 60 s without arrivals, then the hold: zero well within five minutes.
    expect(run(undefined, 300)).toBe(0);
    // A trickle of one job every 50 s is not idle: one instance stays warm.
    expect(run(50_000, 300)).toBe(1);
  });

  it("continues identically from a memory that went through JSON (a new leader)", () => {
    const rate = (time: number): number => 1 + Math.sin((time - START) / 600_000);
    const first = runSteady({ rate, serviceMs: () => 30_000, durationMs: 3_600_000 });
    const copy = JSON.parse(JSON.stringify(first.memory)) as ThriftQueuePolicyMemory;
    expect(copy).toEqual(first.memory);
    const next = { rate, serviceMs: () => 30_000, durationMs: 3_600_000, start: START + 3_600_000, seed: 11 };
    expect(runSteady(next, copy).steps).toEqual(runSteady(next, first.memory).steps);
  });

  it("is deterministic and keeps its memory small", () => {
    const run = (): ReturnType<typeof runSteady> =>
      runSteady({
        rate: (time) => 3 + 2 * Math.sin((time - START) / 7_200_000),
        serviceMs: () => 15_000,
        durationMs: 3 * DAY_MS,
      });
    const a = run();
    const b = run();
    expect(a.steps).toEqual(b.steps);
    expect(JSON.stringify(a.memory).length).toBeLessThan(64 * 1024);
  });

  it("never throws and stays within the limits for odd inputs", () => {
    const limits = { min: 1, max: 50, maxStep: 5, targetWaitMs: 30_000 };
    const policy = thriftQueuePolicy(limits);
    const odd: PolicyInput[] = [
      input({ concurrencyPerInstance: 0 }),
      input({ visible: Number.NaN, inFlight: -5, running: Number.POSITIVE_INFINITY }),
      input({ visible: 1e15, inFlight: 1e12, serviceTimesMs: [1e15, -1, Number.NaN, 0] }),
      input({ bootDelayMs: -1, completedSinceLast: Number.NaN, serviceTimesMs: [] }),
      input({ now: Number.NaN, queue: { visible: 3, inFlight: 0, delayed: Number.NaN, oldestAgeMs: Number.NaN } }),
      input({ bootDelayMs: 1e12, serviceTimesMs: [0, 0, 0], visible: 10 }),
    ];
    let memory = policy.initialMemory();
    odd.forEach((value, index) => {
      const step = policy.decide(
        { ...value, now: Number.isNaN(value.now) ? value.now : START + index * 10_000 },
        memory,
      );
      memory = step.memory;
      expect(Number.isInteger(step.decision.desired)).toBe(true);
      expect(step.decision.desired).toBeGreaterThanOrEqual(1);
      expect(step.decision.desired).toBeLessThanOrEqual(50);
      expect(JSON.stringify(step.memory)).not.toMatch(/null,null|NaN/);
      expect(typeof step.decision.reason).toBe("string");
    });
  });
});
