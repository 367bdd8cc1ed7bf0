/**
 * The traces and parameter sets of `npm run bench:scaler`. Arrival rates are chosen from a fleet size: rate =
 * instances × concurrency × 0.8 / T, so fleets stay within 5–100 instances and the whole bench runs in minutes.
 * Not every trace runs the whole cross-product of boot delay × job time × W; each case lists what it runs, and
 * every listed value (boot 30/90/240 s, T 1 s/60 s/10 min, W 30 s/5 min) appears somewhere.
 */
import type { ServiceTimeSpec, TraceSpec } from "../src/scaler/simulation/trace-spec.ts";

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** Every instance runs this many jobs at once (a worker with concurrency 4). */
export const CONCURRENCY = 4;
/** The fleet cap of every policy. */
export const MAX_INSTANCES = 150;
/**
 * The leader-crash trace's crash: at the first evaluation from 3 h + 2.7 s, after the decision is recorded and
 * before it is applied (the standby must apply it, once).
 */
const CRASH_AT_MS = 3 * HOUR + 2_700;

/** Which target group a trace belongs to. */
export type TraceGroup = "step" | "diurnal" | "poisson" | "heavy-tail" | "drift" | "leader-crash";

/** One trace with the parameters it runs with. */
export interface BenchCase {
  readonly group: TraceGroup;
  readonly trace: TraceSpec;
  /** The mean job time the trace was built for (AWS's W/T and the 2008 rule's T use it). */
  readonly serviceTimeMs: number;
  readonly targetWaitMs: number;
  readonly bootDelaysMs: readonly number[];
  /** Instances running at time 0, sized for the initial load (the same for every policy). */
  readonly initialInstances: number;
  readonly leaderCrashAtMs?: number;
}

function rateFor(instances: number, serviceMs: number): number {
  return (instances * CONCURRENCY * 0.8) / (serviceMs / SECOND);
}

function exponential(meanMs: number): ServiceTimeSpec {
  return { kind: "exponential", meanMs };
}

function stepCase(serviceMs: number, waitMs: number, boots: readonly number[]): BenchCase {
  return {
    group: "step",
    trace: {
      name: "step-x10",
      durationMs: 2 * HOUR,
      arrivals: {
        kind: "step",
        ratePerSecond: rateFor(8, serviceMs),
        factor: 10,
        startMs: 30 * MINUTE,
        lengthMs: 30 * MINUTE,
      },
      serviceTime: exponential(serviceMs),
    },
    serviceTimeMs: serviceMs,
    targetWaitMs: waitMs,
    bootDelaysMs: boots,
    initialInstances: 8,
  };
}

function dumpCase(serviceMs: number, waitMs: number, boots: readonly number[]): BenchCase {
  return {
    group: "step",
    trace: {
      name: "dump-5000",
      durationMs: 90 * MINUTE,
      arrivals: { kind: "poisson", ratePerSecond: rateFor(5, serviceMs) },
      dumps: [{ atMs: 30 * MINUTE, jobs: 5_000 }],
      serviceTime: exponential(serviceMs),
    },
    serviceTimeMs: serviceMs,
    targetWaitMs: waitMs,
    bootDelaysMs: boots,
    initialInstances: 5,
  };
}

function diurnalCase(serviceMs: number, waitMs: number, boots: readonly number[], meanInstances: number): BenchCase {
  return {
    group: "diurnal",
    trace: {
      name: "diurnal-14d",
      durationMs: 14 * DAY,
      arrivals: {
        kind: "diurnal",
        meanRatePerSecond: rateFor(meanInstances, serviceMs),
        dailyAmplitude: 0.6,
        weeklyAmplitude: 0.2,
      },
      serviceTime: exponential(serviceMs),
    },
    serviceTimeMs: serviceMs,
    targetWaitMs: waitMs,
    bootDelaysMs: boots,
    initialInstances: Math.ceil(meanInstances * 0.4),
  };
}

function mmppCase(serviceMs: number, waitMs: number, boots: readonly number[]): BenchCase {
  return {
    group: "poisson",
    trace: {
      name: "poisson-mmpp",
      durationMs: 3 * DAY,
      arrivals: {
        kind: "mmpp",
        ratePerSecond: rateFor(12, serviceMs),
        highFactor: 5,
        meanLowMs: HOUR,
        meanHighMs: 20 * MINUTE,
      },
      serviceTime: exponential(serviceMs),
    },
    serviceTimeMs: serviceMs,
    targetWaitMs: waitMs,
    bootDelaysMs: boots,
    initialInstances: 12,
  };
}

function heavyCase(name: string, serviceTime: ServiceTimeSpec, meanMs: number, boots: readonly number[]): BenchCase {
  return {
    group: "heavy-tail",
    trace: {
      name,
      durationMs: DAY,
      arrivals: { kind: "poisson", ratePerSecond: rateFor(30, meanMs) },
      serviceTime,
    },
    serviceTimeMs: meanMs,
    targetWaitMs: 5 * MINUTE,
    bootDelaysMs: boots,
    initialInstances: 30,
  };
}

const MIX_MEAN_MS = 0.9 * 10 * SECOND + 0.1 * 10 * MINUTE;

/** Every case of the bench, in table order. */
export const benchCases: readonly BenchCase[] = [
  stepCase(60 * SECOND, 5 * MINUTE, [30 * SECOND, 90 * SECOND, 240 * SECOND]),
  stepCase(1 * SECOND, 30 * SECOND, [90 * SECOND]),
  dumpCase(1 * SECOND, 30 * SECOND, [30 * SECOND, 90 * SECOND, 240 * SECOND]),
  dumpCase(60 * SECOND, 5 * MINUTE, [90 * SECOND]),
  diurnalCase(10 * MINUTE, 5 * MINUTE, [90 * SECOND, 240 * SECOND], 50),
  diurnalCase(60 * SECOND, 30 * SECOND, [30 * SECOND], 25),
  mmppCase(60 * SECOND, 30 * SECOND, [30 * SECOND, 90 * SECOND, 240 * SECOND]),
  mmppCase(10 * MINUTE, 5 * MINUTE, [90 * SECOND]),
  heavyCase("heavy-lognormal", { kind: "lognormal", meanMs: 60 * SECOND, sigma: 1.5 }, 60 * SECOND, [
    90 * SECOND,
    240 * SECOND,
  ]),
  heavyCase("heavy-pareto", { kind: "pareto", meanMs: 60 * SECOND, alpha: 1.5 }, 60 * SECOND, [90 * SECOND]),
  heavyCase(
    "heavy-mix",
    {
      kind: "mix",
      parts: [
        { probability: 0.9, ms: 10 * SECOND },
        { probability: 0.1, ms: 10 * MINUTE },
      ],
    },
    MIX_MEAN_MS,
    [90 * SECOND],
  ),
  {
    group: "drift",
    trace: {
      name: "drift-2x",
      durationMs: DAY,
      arrivals: { kind: "poisson", ratePerSecond: rateFor(20, 60 * SECOND) },
      serviceTime: exponential(60 * SECOND),
      drift: { atMs: 12 * HOUR, factor: 2 },
    },
    // The configured T of the baselines stays the pre-drift mean: that is what a fixed setting does.
    serviceTimeMs: 60 * SECOND,
    targetWaitMs: 5 * MINUTE,
    bootDelaysMs: [90 * SECOND],
    initialInstances: 20,
  },
  {
    group: "leader-crash",
    trace: {
      name: "leader-crash",
      durationMs: 6 * HOUR,
      arrivals: { kind: "poisson", ratePerSecond: rateFor(40, 60 * SECOND) },
      serviceTime: exponential(60 * SECOND),
    },
    serviceTimeMs: 60 * SECOND,
    targetWaitMs: 30 * SECOND,
    bootDelaysMs: [90 * SECOND],
    initialInstances: 40,
    leaderCrashAtMs: CRASH_AT_MS,
  },
];
