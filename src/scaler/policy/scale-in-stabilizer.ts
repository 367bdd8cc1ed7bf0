/**
 * Stabilization against flapping: scale-out takes effect at once, scale-in only to the highest capacity wanted
 * during the hold window (so a dip in load shorter than the window removes nothing) and never below the instances
 * the in-flight work occupies. The window is tied to the boot delay: an instance released and needed again within
 * about a boot delay costs as much as keeping it, and makes jobs wait for the boot.
 */

/** The stabilizer's memory (plain JSON): the capacities wanted recently, oldest first, as [time, wanted] pairs. */
export interface ScaleInMemory {
  readonly recent: readonly (readonly [number, number])[];
}

/** The outcome of one stabilization step. */
export interface StabilizedCapacity {
  /** The capacity to ask for. */
  readonly desired: number;
  /** Why scale-in was held back, or null when the wanted capacity went through. */
  readonly heldBy: string | null;
  readonly memory: ScaleInMemory;
}

/** The longest window remembered: bounds the memory size whatever the hold asks for. */
const MAX_REMEMBERED_ENTRIES = 256;

/** The memory before the first evaluation. */
export function initialScaleIn(): ScaleInMemory {
  return { recent: [] };
}

/** The hold window for a boot delay: two boots plus the 60 s billing minimum, at least `floorMs`. */
export function holdWindowMs(bootDelayMs: number, floorMs: number): number {
  return Math.max(floorMs, 2 * bootDelayMs + 60_000);
}

/**
 * Stabilizes the wanted capacity against the current one (booting + running). `wanted` is what the load asks
 * for; `wantedHigh` the same with the load raised by its noise: capacity is added when below `wanted` and removed
 * only when above `wantedHigh`, so an estimate wobbling around an instance boundary neither adds nor removes one
 * (hysteresis). `inFlightNeed` is the fewest instances that can hold the
 * work in flight.
 */
export function stabilizeScaleIn(
  memory: ScaleInMemory,
  now: number,
  wanted: number,
  wantedHigh: number,
  current: number,
  inFlightNeed: number,
  holdMs: number,
): StabilizedCapacity {
  const target = wanted > current ? wanted : Math.min(current, Math.max(wanted, wantedHigh));
  const kept = memory.recent.filter(([at]) => at > now - holdMs && at <= now);
  const recent = [...kept.slice(-(MAX_REMEMBERED_ENTRIES - 1)), [now, target] as const];
  const next: ScaleInMemory = { recent };
  const band = target > wanted ? `noise band keeps ${target}` : null;
  if (target >= current) return { desired: target, heldBy: band, memory: next };
  let windowMax = target;
  for (const [, value] of recent) windowMax = Math.max(windowMax, value);
  const floor = Math.max(windowMax, inFlightNeed);
  if (floor >= current) {
    const why =
      inFlightNeed >= current
        ? `in-flight work needs ${inFlightNeed}`
        : `held ${Math.round(holdMs / 1000)} s at ${windowMax}`;
    return { desired: current, heldBy: why, memory: next };
  }
  if (floor > target) {
    const why =
      inFlightNeed > windowMax
        ? `in-flight work needs ${inFlightNeed}`
        : `held ${Math.round(holdMs / 1000)} s at ${windowMax}`;
    return { desired: floor, heldBy: why, memory: next };
  }
  return { desired: target, heldBy: band, memory: next };
}
