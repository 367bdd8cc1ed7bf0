/**
 * What a simulated trace is, as plain data: an arrival process, instant dumps of jobs, and the distribution of job
 * times (optionally drifting). The generators in arrival-process.ts and service-time.ts turn a spec and a seed into
 * the same job sequence every time, so every policy is measured on identical jobs.
 */

/** Arrivals at a fixed spacing (no randomness): the known-answer traces of the tests. */
export interface EvenArrivals {
  readonly kind: "even";
  readonly ratePerSecond: number;
}

/** A Poisson process of constant rate. */
export interface PoissonArrivals {
  readonly kind: "poisson";
  readonly ratePerSecond: number;
}

/** A Poisson process whose rate is multiplied by `factor` during [startMs, startMs + lengthMs). */
export interface StepArrivals {
  readonly kind: "step";
  readonly ratePerSecond: number;
  readonly factor: number;
  readonly startMs: number;
  readonly lengthMs: number;
}

/**
 * A Poisson process with a daily sine (trough at midnight, peak at noon) times a weekly sine:
 * rate(t) = mean · (1 + dailyAmplitude · sin(2πt/day − π/2)) · (1 + weeklyAmplitude · sin(2πt/week)).
 */
export interface DiurnalArrivals {
  readonly kind: "diurnal";
  readonly meanRatePerSecond: number;
  readonly dailyAmplitude: number;
  readonly weeklyAmplitude: number;
}

/**
 * A two-state Markov-modulated Poisson process: rate `ratePerSecond` in the low state and `ratePerSecond ·
 * highFactor` in the high state; each state lasts an exponential time of the given mean.
 */
export interface MarkovModulatedArrivals {
  readonly kind: "mmpp";
  readonly ratePerSecond: number;
  readonly highFactor: number;
  readonly meanLowMs: number;
  readonly meanHighMs: number;
}

/** Any arrival process. */
export type ArrivalProcessSpec =
  EvenArrivals | PoissonArrivals | StepArrivals | DiurnalArrivals | MarkovModulatedArrivals;

/** Every job takes exactly `meanMs`. */
export interface FixedServiceTime {
  readonly kind: "fixed";
  readonly meanMs: number;
}

/** Exponential job times. */
export interface ExponentialServiceTime {
  readonly kind: "exponential";
  readonly meanMs: number;
}

/** Lognormal job times of mean `meanMs` and log-standard-deviation `sigma`. */
export interface LognormalServiceTime {
  readonly kind: "lognormal";
  readonly meanMs: number;
  readonly sigma: number;
}

/** Pareto job times of mean `meanMs` and shape `alpha` (> 1 for a finite mean). */
export interface ParetoServiceTime {
  readonly kind: "pareto";
  readonly meanMs: number;
  readonly alpha: number;
}

/** A mixture of fixed job times: `parts[i].ms` with probability `parts[i].probability`. */
export interface MixServiceTime {
  readonly kind: "mix";
  readonly parts: readonly { readonly probability: number; readonly ms: number }[];
}

/** Any job-time distribution. */
export type ServiceTimeSpec =
  FixedServiceTime | ExponentialServiceTime | LognormalServiceTime | ParetoServiceTime | MixServiceTime;

/** A simulated trace. */
export interface TraceSpec {
  /** The name in benchmark rows. */
  readonly name: string;
  /** Arrivals happen in [0, durationMs). */
  readonly durationMs: number;
  readonly arrivals: ArrivalProcessSpec;
  /** Jobs that all arrive at one instant, on top of the arrival process. */
  readonly dumps?: readonly { readonly atMs: number; readonly jobs: number }[];
  readonly serviceTime: ServiceTimeSpec;
  /** From `atMs` on, job times are multiplied by `factor` (by arrival time). */
  readonly drift?: { readonly atMs: number; readonly factor: number };
}

/** The mean of a job-time distribution in ms (before drift). */
export function meanServiceMs(spec: ServiceTimeSpec): number {
  switch (spec.kind) {
    case "fixed":
    case "exponential":
    case "lognormal":
    case "pareto":
      return spec.meanMs;
    case "mix":
      return spec.parts.reduce((sum, part) => sum + part.probability * part.ms, 0);
  }
}
