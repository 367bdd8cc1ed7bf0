/** The trace generators: empirical rates and means match their parameters; seeded streams repeat. */
import { describe, expect, it } from "vitest";
import { arrivalClock, arrivalRateAt } from "../../../../src/scaler/simulation/arrival-process.ts";
import { JobSource } from "../../../../src/scaler/simulation/job-source.ts";
import { seededRandom } from "../../../../src/scaler/simulation/seeded-random.ts";
import { serviceTimeSampler } from "../../../../src/scaler/simulation/service-time.ts";
import { type ServiceTimeSpec, type TraceSpec, meanServiceMs } from "../../../../src/scaler/simulation/trace-spec.ts";

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

function countArrivals(trace: TraceSpec, from = 0, to = trace.durationMs): number {
  const source = new JobSource(trace, 3);
  let count = 0;
  for (; source.arrivalMs !== Infinity; source.advance())
    if (source.arrivalMs >= from && source.arrivalMs < to) count += 1;
  return count;
}

function sampleMean(spec: ServiceTimeSpec, samples: number): number {
  const sample = serviceTimeSampler(spec, seededRandom(11));
  let sum = 0;
  for (let i = 0; i < samples; i += 1) sum += sample();
  return sum / samples;
}

const fixed: ServiceTimeSpec = { kind: "fixed", meanMs: 1_000 };

describe("seeded random", () => {
  it("repeats for a seed, stays inside (0, 1) and is roughly uniform", () => {
    const a = seededRandom(42);
    const b = seededRandom(42);
    let sum = 0;
    let mismatches = 0;
    let outside = 0;
    for (let i = 0; i < 100_000; i += 1) {
      const x = a();
      if (x !== b()) mismatches += 1;
      if (!(x > 0 && x < 1)) outside += 1;
      sum += x;
    }
    expect([mismatches, outside]).toEqual([0, 0]);
    expect(sum / 100_000).toBeCloseTo(0.5, 2);
    expect(seededRandom(43)()).not.toBe(seededRandom(42)());
  });
});

describe("arrival processes", () => {
  it("Poisson: the count over 10 h is the rate × time within 2 %", () => {
    const trace: TraceSpec = {
      name: "p",
      durationMs: 10 * HOUR,
      arrivals: { kind: "poisson", ratePerSecond: 2 },
      serviceTime: fixed,
    };
    expect(countArrivals(trace) / (2 * 36_000)).toBeCloseTo(1, 1);
    expect(Math.abs(countArrivals(trace) / 72_000 - 1)).toBeLessThan(0.02);
  });

  it("step: ×10 inside the window only, and the dump lands at one instant", () => {
    const trace: TraceSpec = {
      name: "s",
      durationMs: 2 * HOUR,
      arrivals: { kind: "step", ratePerSecond: 1, factor: 10, startMs: 30 * 60_000, lengthMs: 30 * 60_000 },
      dumps: [{ atMs: 90 * 60_000, jobs: 5_000 }],
      serviceTime: fixed,
    };
    const before = countArrivals(trace, 0, 30 * 60_000);
    const during = countArrivals(trace, 30 * 60_000, 60 * 60_000);
    expect(Math.abs(before / 1_800 - 1)).toBeLessThan(0.06);
    expect(Math.abs(during / 18_000 - 1)).toBeLessThan(0.03);
    const atDump = countArrivals(trace, 90 * 60_000, 90 * 60_000 + 1);
    expect(atDump).toBeGreaterThanOrEqual(5_000);
    expect(atDump).toBeLessThan(5_003);
  });

  it("diurnal: the 14-day mean rate is the configured mean; noon is busier than midnight", () => {
    const spec = { kind: "diurnal", meanRatePerSecond: 0.5, dailyAmplitude: 0.6, weeklyAmplitude: 0.2 } as const;
    const trace: TraceSpec = { name: "d", durationMs: 14 * DAY, arrivals: spec, serviceTime: fixed };
    expect(Math.abs(countArrivals(trace) / (0.5 * 14 * 86_400) - 1)).toBeLessThan(0.02);
    expect(arrivalRateAt(spec, 12 * HOUR)).toBeGreaterThan(3 * arrivalRateAt(spec, 0));
    const nights = countArrivals(trace, 0, 2 * HOUR);
    const noons = countArrivals(trace, 11 * HOUR, 13 * HOUR);
    expect(noons).toBeGreaterThan(2 * nights);
  });

  it("MMPP: the mean rate is the state-weighted rate; the high state is 5× the base", () => {
    const spec = { kind: "mmpp", ratePerSecond: 0.2, highFactor: 5, meanLowMs: HOUR, meanHighMs: 20 * 60_000 } as const;
    // Stationary share of the high state: 20 / 80; mean rate 0.2 × (0.75 + 5 × 0.25) = 0.4.
    expect(arrivalRateAt(spec, 0)).toBeCloseTo(0.4, 10);
    const trace: TraceSpec = { name: "m", durationMs: 60 * DAY, arrivals: spec, serviceTime: fixed };
    expect(Math.abs(countArrivals(trace) / (0.4 * 60 * 86_400) - 1)).toBeLessThan(0.05);
    // Burstiness: some 10-minute windows run near the high rate (1/s), some near the base (0.2/s).
    const perWindow = new Array<number>(144).fill(0);
    const source = new JobSource({ ...trace, durationMs: DAY }, 3);
    for (; source.arrivalMs !== Infinity; source.advance()) {
      const window = Math.floor(source.arrivalMs / 600_000);
      perWindow[window] = perWindow[window]! + 1;
    }
    expect(Math.max(...perWindow)).toBeGreaterThan(500);
    expect(Math.min(...perWindow)).toBeLessThan(160);
  });

  it("even arrivals are exactly spaced", () => {
    const clock = arrivalClock({ kind: "even", ratePerSecond: 4 }, seededRandom(1));
    expect([clock(), clock(), clock()]).toEqual([0, 250, 500]);
  });
});

describe("job times", () => {
  it("lognormal σ = 1.5 and Pareto α = 1.5 have the configured mean", () => {
    expect(
      Math.abs(sampleMean({ kind: "lognormal", meanMs: 60_000, sigma: 1.5 }, 1_000_000) / 60_000 - 1),
    ).toBeLessThan(0.03);
    // Pareto α = 1.5 has infinite variance: its sample mean converges slowly, hence the wider tolerance.
    expect(Math.abs(sampleMean({ kind: "pareto", meanMs: 60_000, alpha: 1.5 }, 1_000_000) / 60_000 - 1)).toBeLessThan(
      0.08,
    );
    expect(sampleMean({ kind: "exponential", meanMs: 5_000 }, 200_000) / 5_000).toBeCloseTo(1, 1);
  });

  it("the 90 % × 10 s / 10 % × 10 min mix has mean 69 s and only those two values", () => {
    const spec: ServiceTimeSpec = {
      kind: "mix",
      parts: [
        { probability: 0.9, ms: 10_000 },
        { probability: 0.1, ms: 600_000 },
      ],
    };
    expect(meanServiceMs(spec)).toBe(69_000);
    const sample = serviceTimeSampler(spec, seededRandom(5));
    const values = new Set<number>();
    let long = 0;
    for (let i = 0; i < 100_000; i += 1) {
      const value = sample();
      values.add(value);
      if (value === 600_000) long += 1;
    }
    expect([...values].sort((a, b) => a - b)).toEqual([10_000, 600_000]);
    expect(Math.abs(long / 100_000 - 0.1)).toBeLessThan(0.005);
  });

  it("drift doubles job times from its instant on", () => {
    const trace: TraceSpec = {
      name: "drift",
      durationMs: 2 * HOUR,
      arrivals: { kind: "poisson", ratePerSecond: 1 },
      serviceTime: { kind: "fixed", meanMs: 60_000 },
      drift: { atMs: HOUR, factor: 2 },
    };
    const source = new JobSource(trace, 1);
    const seen = new Set<string>();
    for (; source.arrivalMs !== Infinity; source.advance()) seen.add(`${source.arrivalMs >= HOUR}:${source.serviceMs}`);
    expect([...seen].sort()).toEqual(["false:60000", "true:120000"]);
  });
});
