/**
 * Stabilization against flapping: scale-out takes effect at once; scale-in waits until the capacity wanted has
 * stayed below the current one for a hold window, and never goes below the instances the in-flight work occupies.
 * A small drop (the noise of a steady load) waits the long window (10 min: a reversal within 10 min counts as a
 * flap); a large drop (a spike that ended) waits only the short window, tied to the boot delay — an instance
 * released and needed again within about a boot delay costs as much as keeping it, and makes jobs wait for a boot.
 */

/**
 * The stabilizer's memory (plain JSON): [time, capacity] pairs of the capacities wanted recently, oldest first,
 * each larger than every later one (a monotone queue: the highest capacity wanted since any time is the first
 * pair after it, and the memory stays small whatever the evaluation rate).
 */
export interface ScaleInMemory {
  readonly recent: readonly (readonly [number, number])[];
}

/** The windows of one stabilization step. */
export interface HoldWindows {
  /** How long a large drop waits. */
  readonly shortMs: number;
  /** How long a small drop waits. */
  readonly longMs: number;
  /** A drop of at least this share of the current capacity (and at least 2 instances) is large. */
  readonly largeDropShare: number;
}

/** The outcome of one stabilization step. */
export interface StabilizedCapacity {
  /** The capacity to ask for. */
  readonly desired: number;
  /** Why scale-in was held back, or null when the wanted capacity went through. */
  readonly heldBy: string | null;
  readonly memory: ScaleInMemory;
}

/** The window a small drop waits: the span within which a reversal counts as a flap. */
export const LONG_HOLD_MS = 600_000;

/** The memory before the first evaluation. */
export function initialScaleIn(): ScaleInMemory {
  return { recent: [] };
}

/**
 * The hold windows for a boot delay: short = a boot plus the 60 s billing minimum, at least `floorMs`; long =
 * `longHoldMs` (the flap window), at least the short one.
 */
export function holdWindows(bootDelayMs: number, floorMs: number, longHoldMs = LONG_HOLD_MS): HoldWindows {
  const shortMs = Math.max(floorMs, bootDelayMs + 60_000);
  return { shortMs, longMs: Math.max(longHoldMs, shortMs), largeDropShare: 0.25 };
}

function highestSince(recent: readonly (readonly [number, number])[], since: number): number {
  for (const [at, value] of recent) if (at >= since) return value;
  return 0;
}

/** The capacity wanted at one evaluation, for the load as estimated and for the load moved by its noise. */
export interface WantedCapacity {
  /** What the estimated load asks for. */
  readonly wanted: number;
  /** The same for the load lowered by its noise (at most `wanted`). */
  readonly wantedLow: number;
  /** The same for the load raised by its noise (at least `wanted`). */
  readonly wantedHigh: number;
}

/**
 * Stabilizes the wanted capacity against the current one (booting + running). Capacity is added only when even
 * `wantedLow` asks for more than the current capacity, and removed only when even `wantedHigh` asks for less, so an
 * estimate wobbling around an instance boundary neither adds nor removes one (hysteresis; a real rise moves the
 * low side too, and a backlog building up is part of every side). `inFlightNeed` is the fewest instances that can
 * hold the work in flight.
 */
export function stabilizeScaleIn(
  memory: ScaleInMemory,
  now: number,
  capacity: WantedCapacity,
  current: number,
  inFlightNeed: number,
  windows: HoldWindows,
  rateDropped = false,
): StabilizedCapacity {
  const { wanted, wantedHigh } = capacity;
  const wantedLow = Math.min(wanted, capacity.wantedLow);
  // The first evaluation (a fresh scaler) knows nothing about the load yet: it keeps the fleet it found, which then
  // waits out the hold windows like any other capacity.
  const firstEvaluation = memory.recent.length === 0;
  const rises = wanted > current && wantedLow > current;
  const target = rises
    ? wanted
    : wanted > current || firstEvaluation
      ? current
      : Math.min(current, Math.max(wanted, wantedHigh));
  // A rate drop beyond doubt (the arrival estimator's confirmed change: a burst ended) makes what was wanted before it
  // history: the windows guard against noise, and this is not noise.
  const kept = rateDropped
    ? []
    : memory.recent.filter(([at, value]) => at >= now - windows.longMs && at <= now && value > target);
  const recent = [...kept, [now, target] as const];
  const next: ScaleInMemory = { recent };
  const band =
    target > wanted
      ? `noise band keeps ${target}`
      : target < wanted
        ? `rise within the noise band, kept ${target}`
        : null;
  if (target >= current) return { desired: target, heldBy: band, memory: next };

  const longMax = highestSince(recent, now - windows.longMs);
  const shortMax = highestSince(recent, now - windows.shortMs);
  const seconds = (ms: number): number => Math.round(ms / 1000);
  let allowed: number;
  let why: string | null;
  if (longMax < current) {
    allowed = longMax;
    why = longMax > target ? `held ${seconds(windows.longMs)} s at ${longMax}` : null;
  } else if (current - shortMax >= Math.max(2, windows.largeDropShare * current)) {
    allowed = shortMax;
    why = shortMax > target ? `held ${seconds(windows.shortMs)} s at ${shortMax}` : null;
  } else {
    allowed = current;
    why =
      shortMax < current
        ? `small drop, held ${seconds(windows.longMs)} s`
        : `held ${seconds(windows.shortMs)} s at ${shortMax}`;
  }
  if (inFlightNeed > allowed) {
    return { desired: Math.min(current, inFlightNeed), heldBy: `in-flight work needs ${inFlightNeed}`, memory: next };
  }
  return { desired: allowed, heldBy: why ?? band, memory: next };
}
