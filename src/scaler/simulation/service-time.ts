/** Job-time samplers for the distributions of trace-spec.ts. */
import { type UniformSource, exponential, standardNormal } from "./seeded-random.ts";
import type { ServiceTimeSpec } from "./trace-spec.ts";

/** Draws one job time in ms. */
export type ServiceTimeSampler = () => number;

/** A sampler of `spec` drawing from `random`. */
export function serviceTimeSampler(spec: ServiceTimeSpec, random: UniformSource): ServiceTimeSampler {
  switch (spec.kind) {
    case "fixed":
      return () => spec.meanMs;
    case "exponential":
      return () => exponential(random, spec.meanMs);
    case "lognormal": {
      // E[e^(μ + σZ)] = e^(μ + σ²/2): μ chosen so the mean is meanMs.
      const mu = Math.log(spec.meanMs) - (spec.sigma * spec.sigma) / 2;
      return () => Math.exp(mu + spec.sigma * standardNormal(random));
    }
    case "pareto": {
      // Mean of Pareto(xm, α) is α·xm/(α − 1): xm chosen so the mean is meanMs.
      const scale = (spec.meanMs * (spec.alpha - 1)) / spec.alpha;
      const inverse = 1 / spec.alpha;
      return () => scale / Math.pow(random(), inverse);
    }
    case "mix": {
      const parts = spec.parts;
      return () => {
        let u = random();
        for (const part of parts) {
          if (u < part.probability) return part.ms;
          u -= part.probability;
        }
        return parts[parts.length - 1]!.ms;
      };
    }
  }
}
