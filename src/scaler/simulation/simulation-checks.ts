/** The checks `simulate()` runs on its options before starting, reporting every bad field at once. */
import { ScalerError } from "../../errors.ts";
import type { SimulationOptions } from "./simulation-types.ts";

/** Throws `ScalerError` `SCALER_CONFIG` listing every invalid option (a zero interval would never end). */
export function checkSimulationOptions<Memory>(options: SimulationOptions<Memory>): void {
  const problems: string[] = [];
  const positive = (name: string, value: number): void => {
    if (!(value > 0) || !Number.isFinite(value)) problems.push(`${name} must be a finite number > 0 (got ${value})`);
  };
  positive("trace.durationMs", options.trace.durationMs);
  positive("targetWaitMs", options.targetWaitMs);
  positive("policy.evaluationIntervalMs", options.policy.evaluationIntervalMs);
  positive("maxInstances", options.maxInstances);
  if (!Number.isInteger(options.concurrencyPerInstance) || options.concurrencyPerInstance < 1)
    problems.push(`concurrencyPerInstance must be an integer ≥ 1 (got ${options.concurrencyPerInstance})`);
  if (!(options.bootDelayMs >= 0) || !Number.isFinite(options.bootDelayMs))
    problems.push(`bootDelayMs must be a finite number ≥ 0 (got ${options.bootDelayMs})`);
  const initial = options.initialInstances ?? 0;
  if (!Number.isInteger(initial) || initial < 0)
    problems.push(`initialInstances must be an integer ≥ 0 (got ${initial})`);
  const crash = options.leaderCrash;
  if (crash !== undefined) {
    if (!(crash.atMs >= 0)) problems.push(`leaderCrash.atMs must be ≥ 0 (got ${crash.atMs})`);
    if (crash.leaseTtlMs !== undefined) positive("leaderCrash.leaseTtlMs", crash.leaseTtlMs);
    if (crash.renewIntervalMs !== undefined) positive("leaderCrash.renewIntervalMs", crash.renewIntervalMs);
  }
  if (problems.length > 0) throw new ScalerError("SCALER_CONFIG", `simulate: ${problems.join("; ")}`);
}
