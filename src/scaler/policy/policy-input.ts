/**
 * Input hygiene and number formatting shared by policies: a policy must not throw, and must not let one NaN or
 * negative count from a misbehaving store poison the memory it carries forever.
 */
import type { PolicyInput } from "./scaling-policy.ts";

function count(value: number): number {
  return Number.isFinite(value) && value > 0 ? value : 0;
}

/** The input with every count and duration made finite and ≥ 0 (non-finite or negative become 0). */
export function sanitizeInput(input: PolicyInput): PolicyInput {
  const oldest = input.queue.oldestAgeMs;
  return {
    now: Number.isFinite(input.now) ? input.now : 0,
    queue: {
      visible: count(input.queue.visible),
      inFlight: count(input.queue.inFlight),
      delayed: count(input.queue.delayed),
      oldestAgeMs: oldest === undefined ? undefined : count(oldest),
    },
    fleet: {
      booting: count(input.fleet.booting),
      running: count(input.fleet.running),
      draining: count(input.fleet.draining),
    },
    completedSinceLast: count(input.completedSinceLast),
    serviceTimesMs: Array.isArray(input.serviceTimesMs) ? input.serviceTimesMs : [],
    concurrencyPerInstance: count(input.concurrencyPerInstance),
    bootDelayMs: count(input.bootDelayMs),
  };
}

/** A number with three significant digits at most: 2.1, 30.5, 1200. */
export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  if (Math.abs(value) >= 100) return String(Math.round(value));
  return String(Number(value.toPrecision(3)));
}

/** Seconds as people read them: 850 ms, 58 s, 4.5 min, 2.1 h. */
export function formatDuration(seconds: number): string {
  if (seconds < 1) return `${Math.round(seconds * 1000)} ms`;
  if (seconds < 120) return `${formatNumber(seconds)} s`;
  if (seconds < 7200) return `${formatNumber(seconds / 60)} min`;
  return `${formatNumber(seconds / 3600)} h`;
}
