/**
 * Arrival-time generators: each returns the next arrival time in ms on every call, lazily, so a 14-day trace
 * never holds its arrivals in memory. Rate-varying processes use thinning against the peak rate (Lewis–Shedler),
 * the Markov-modulated one switches state at exponential times (memorylessness lets it redraw after a switch).
 */
import { type UniformSource, exponential } from "./seeded-random.ts";
import type { ArrivalProcessSpec, DiurnalArrivals, StepArrivals } from "./trace-spec.ts";

const DAY_MS = 86_400_000;
const WEEK_MS = 7 * DAY_MS;

/** Returns successive arrival times (ms, non-decreasing, unbounded). */
export type ArrivalClock = () => number;

/** The arrival rate (jobs/s) of a process at time `atMs`; the mean rate of the Markov-modulated process. */
export function arrivalRateAt(spec: ArrivalProcessSpec, atMs: number): number {
  switch (spec.kind) {
    case "even":
    case "poisson":
      return spec.ratePerSecond;
    case "step":
      return stepRate(spec, atMs);
    case "diurnal":
      return diurnalRate(spec, atMs);
    case "mmpp": {
      const highShare = spec.meanHighMs / (spec.meanHighMs + spec.meanLowMs);
      return spec.ratePerSecond * (1 - highShare + highShare * spec.highFactor);
    }
  }
}

/** An arrival clock for `spec` drawing from `random`. */
export function arrivalClock(spec: ArrivalProcessSpec, random: UniformSource): ArrivalClock {
  switch (spec.kind) {
    case "even": {
      const gapMs = 1000 / spec.ratePerSecond;
      let index = 0;
      return () => gapMs * index++;
    }
    case "poisson": {
      const meanGapMs = 1000 / spec.ratePerSecond;
      let now = 0;
      return () => (now += exponential(random, meanGapMs));
    }
    case "step":
      return thinned((at) => stepRate(spec, at), spec.ratePerSecond * Math.max(1, spec.factor), random);
    case "diurnal": {
      const peak = spec.meanRatePerSecond * (1 + Math.abs(spec.dailyAmplitude)) * (1 + Math.abs(spec.weeklyAmplitude));
      return thinned((at) => diurnalRate(spec, at), peak, random);
    }
    case "mmpp": {
      let now = 0;
      let high = false;
      let switchAt = exponential(random, spec.meanLowMs);
      return () => {
        for (;;) {
          const rate = high ? spec.ratePerSecond * spec.highFactor : spec.ratePerSecond;
          const next = now + exponential(random, 1000 / rate);
          if (next < switchAt) return (now = next);
          now = switchAt;
          high = !high;
          switchAt = now + exponential(random, high ? spec.meanHighMs : spec.meanLowMs);
        }
      };
    }
  }
}

function thinned(rateAt: (atMs: number) => number, peakRate: number, random: UniformSource): ArrivalClock {
  const meanGapMs = 1000 / peakRate;
  let now = 0;
  return () => {
    for (;;) {
      now += exponential(random, meanGapMs);
      if (random() * peakRate <= rateAt(now)) return now;
    }
  };
}

function stepRate(spec: StepArrivals, atMs: number): number {
  const inside = atMs >= spec.startMs && atMs < spec.startMs + spec.lengthMs;
  return inside ? spec.ratePerSecond * spec.factor : spec.ratePerSecond;
}

function diurnalRate(spec: DiurnalArrivals, atMs: number): number {
  const daily = 1 + spec.dailyAmplitude * Math.sin((2 * Math.PI * atMs) / DAY_MS - Math.PI / 2);
  const weekly = 1 + spec.weeklyAmplitude * Math.sin((2 * Math.PI * atMs) / WEEK_MS);
  return Math.max(0, spec.meanRatePerSecond * daily * weekly);
}
