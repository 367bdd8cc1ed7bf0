/**
 * How the simulator removes instances when a decision wants fewer: `drain-idle` never kills work (booting and idle
 * instances go first, then busy ones drain); `terminate-random` (AWS: a random unprotected instance) and
 * `terminate-arbitrary` (Kubernetes: not-ready pods first, then any) kill whatever the victim was running.
 */
import type { ScaleInMethod } from "../policy/scaling-policy.ts";
import type { UniformSource } from "./seeded-random.ts";
import { BOOTING, RUNNING, type SimulatedFleet } from "./simulated-fleet.ts";

/** Removes `count` instances from the booting + running ones; returns the number of jobs killed. */
export function removeInstances(
  fleet: SimulatedFleet,
  method: ScaleInMethod,
  count: number,
  now: number,
  random: UniformSource,
  requeue: (arrivalMs: number, serviceMs: number) => void,
): number {
  let killed = 0;
  const kill = (arrivalMs: number, serviceMs: number): void => {
    killed += 1;
    requeue(arrivalMs, serviceMs);
  };
  const candidates = fleet.live.filter((id) => fleet.phase(id) === BOOTING || fleet.phase(id) === RUNNING);
  const victims = chooseVictims(fleet, method, candidates, Math.min(count, candidates.length), random);
  for (const id of victims) {
    if (method !== "drain-idle") fleet.terminate(id, now, kill);
    else if (fleet.phase(id) === BOOTING) fleet.terminate(id, now, kill);
    else fleet.drain(id, now);
  }
  return killed;
}

function chooseVictims(
  fleet: SimulatedFleet,
  method: ScaleInMethod,
  candidates: number[],
  count: number,
  random: UniformSource,
): number[] {
  switch (method) {
    case "drain-idle": {
      // Booting (newest first), then idle, then the least busy: the order that wastes the least work.
      const rank = (id: number): number => (fleet.phase(id) === BOOTING ? -1 : fleet.busyCount(id));
      return [...candidates].sort((a, b) => rank(a) - rank(b) || b - a).slice(0, count);
    }
    case "terminate-random":
      return sample(candidates, count, random);
    case "terminate-arbitrary": {
      const booting = candidates.filter((id) => fleet.phase(id) === BOOTING).reverse();
      const running = candidates.filter((id) => fleet.phase(id) === RUNNING);
      const chosen = booting.slice(0, count);
      return chosen.concat(sample(running, count - chosen.length, random));
    }
  }
}

/** `count` distinct elements chosen uniformly (partial Fisher–Yates). */
function sample(items: readonly number[], count: number, random: UniformSource): number[] {
  const pool = [...items];
  const chosen: number[] = [];
  for (let i = 0; i < count && pool.length > 0; i += 1) {
    const index = Math.floor(random() * pool.length);
    chosen.push(pool[index]!);
    pool[index] = pool[pool.length - 1]!;
    pool.pop();
  }
  return chosen;
}
