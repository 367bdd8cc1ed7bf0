/**
 * The queue as a buffer for the fractional part of the capacity. Whole instances of c slots rarely match the load:
 * a = 64 Erlangs on 4-slot instances needs 16 instances at 100 % busy (an unstable queue) or 17 at 94 %. When W is
 * long against T, the queue can absorb that fraction: with slots a little short of the load the backlog grows only
 * slowly, and as long as the newest job of the backlog expected over a horizon still starts within its wait budget,
 * the smaller fleet is enough; the backlog itself asks for the next instance once it has grown (the capacity model
 * sizes it), which then drains it. Over time the fleet alternates between the two sizes, rarely (hours at a steady
 * load) and so the bill follows the fractional capacity instead of the rounded-up one.
 */
import { backlogWaitSeconds } from "./capacity-model.ts";

/** What {@link slotsWithQueueBuffer} is computed from. */
export interface QueueBufferFacts {
  /** The arrival rate to serve, jobs per second. */
  readonly ratePerSecond: number;
  /** Mean job time T, seconds. */
  readonly serviceSeconds: number;
  /** Squared coefficient of variation of the job times. */
  readonly squaredVariation: number;
  /** Jobs waiting now. */
  readonly backlog: number;
  /** How far ahead the backlog must stay within the budget: at least until a correction could serve. */
  readonly horizonSeconds: number;
  /** Slots serving now; capacity launched now serves only after the boot delay. */
  readonly runningSlots: number;
  /** The boot delay, seconds. */
  readonly bootSeconds: number;
  /** The longest wait the newest job of the backlog may have at the horizon. */
  readonly newestWaitSeconds: number;
  /** Standard deviations of the backlog's growth over the horizon that must fit. */
  readonly deviations: number;
}

/**
 * The backlog expected at the horizon with `slots` busy serving: its mean growth (arrivals beyond what the slots
 * finish) plus `deviations` standard deviations of a queue near saturation, whose variance grows by
 * λ·(ca² + cs²) per second (Poisson arrivals: ca² = 1).
 */
export function bufferedBacklog(facts: QueueBufferFacts, slots: number, atSeconds = facts.horizonSeconds): number {
  const { ratePerSecond, serviceSeconds } = facts;
  // Slots beyond the running ones serve only after a boot.
  const booting = Math.min(atSeconds, Math.max(0, facts.bootSeconds));
  const servingFirst = Math.min(slots, Math.max(0, facts.runningSlots));
  const growth =
    (ratePerSecond - servingFirst / serviceSeconds) * booting +
    (ratePerSecond - slots / serviceSeconds) * (atSeconds - booting);
  const spread = facts.deviations * Math.sqrt(ratePerSecond * (1 + facts.squaredVariation) * atSeconds);
  return Math.max(0, facts.backlog + growth + spread);
}

/** Where along the horizon the backlog is checked: a shrinking backlog is longest early, a growing one late. */
const CHECKPOINTS = [0, 0.125, 0.25, 0.5, 1] as const;

/**
 * The fewest slots, at most `upperSlots` (what the steady and backlog models ask for), for which the backlog expected
 * at the horizon still lets its newest job start within the budget, the slots all busy. Returns `upperSlots` when no
 * fewer slots do, so it only ever lowers a sizing; the lower the ratio W/T, the less it lowers (for W ≤ T it
 * practically never does: the budget is then a few jobs while the backlog's noise is many).
 */
export function slotsWithQueueBuffer(facts: QueueBufferFacts, upperSlots: number): number {
  if (!(facts.ratePerSecond > 0) || !(facts.serviceSeconds > 0) || !(upperSlots > 1)) return upperSlots;
  const load = facts.ratePerSecond * facts.serviceSeconds;
  const points = [...CHECKPOINTS.map((share) => share * facts.horizonSeconds), facts.bootSeconds].filter(
    (at) => at >= 0 && at <= facts.horizonSeconds,
  );
  const fits = (slots: number): boolean =>
    slots > 0 &&
    points.every(
      (at) =>
        backlogWaitSeconds(bufferedBacklog(facts, slots, at), slots, Math.max(load, slots), facts.serviceSeconds) <=
        facts.newestWaitSeconds,
    );
  if (!fits(upperSlots - 1)) return upperSlots;
  // Fewer slots only make the backlog grow faster and its drain slower, so `fits` is monotone: bisection.
  let low = 0;
  let high = upperSlots - 1;
  while (high - low > 1) {
    const middle = Math.floor((low + high) / 2);
    if (fits(middle)) high = middle;
    else low = middle;
  }
  return high;
}
