/** Victim choice on scale-in: drain-idle wastes no work; the terminate methods kill what their victims run. */
import { describe, expect, it } from "vitest";
import { removeInstances } from "../../../../src/scaler/simulation/scale-in.ts";
import { seededRandom } from "../../../../src/scaler/simulation/seeded-random.ts";
import {
  BOOTING,
  DRAINING,
  RUNNING,
  SimulatedFleet,
  TERMINATED,
} from "../../../../src/scaler/simulation/simulated-fleet.ts";

/** Instance 0 runs 2 jobs, 1 runs 1, 2 is idle, 3 is booting. */
function fleet(): SimulatedFleet {
  const f = new SimulatedFleet(2);
  for (let i = 0; i < 3; i += 1) f.launch(0, true);
  f.launch(0, false);
  f.startJob(0, 0, 0, 10_000);
  f.startJob(0, 0, 0, 10_000);
  f.startJob(1, 0, 0, 10_000);
  return f;
}

const phases = (f: SimulatedFleet): number[] => [0, 1, 2, 3].map((id) => f.phase(id));

describe("removeInstances", () => {
  it("drain-idle: booting first, then idle, then the least busy drains; nothing is killed", () => {
    const f = fleet();
    const requeued: number[] = [];
    expect(removeInstances(f, "drain-idle", 3, 1_000, seededRandom(1), (a) => requeued.push(a))).toBe(0);
    expect(phases(f)).toEqual([RUNNING, DRAINING, TERMINATED, TERMINATED]);
    expect(requeued).toEqual([]);
    expect(f.fleetCounts()).toEqual({ booting: 0, running: 1, draining: 1 });
    // The draining instance finishes its job, then it is terminated and billed (60 s minimum).
    f.completeSlot(2, 10_000);
    expect(f.phase(1)).toBe(TERMINATED);
    expect(f.billedSeconds).toBe(3 * 60);
  });

  it("terminate-arbitrary: the booting instance first, then a random running one, its jobs redelivered", () => {
    const f = fleet();
    const requeued: number[] = [];
    const killed = removeInstances(f, "terminate-arbitrary", 2, 1_000, seededRandom(1), (a) => requeued.push(a));
    expect(f.phase(3)).toBe(TERMINATED);
    expect(phases(f).filter((phase) => phase === TERMINATED)).toHaveLength(2);
    expect(killed).toBe(requeued.length);
    expect(f.busySlots).toBe(3 - killed);
  });

  it("terminate-random: over many seeds every instance is sometimes the victim, and busy victims lose their jobs", () => {
    const chosen = new Set<number>();
    let killedTotal = 0;
    for (let seed = 0; seed < 50; seed += 1) {
      const f = fleet();
      killedTotal += removeInstances(f, "terminate-random", 1, 1_000, seededRandom(seed), () => undefined);
      chosen.add([0, 1, 2, 3].find((id) => f.phase(id) === TERMINATED)!);
    }
    expect([...chosen].sort()).toEqual([0, 1, 2, 3]);
    expect(killedTotal).toBeGreaterThan(0);
  });

  it("never removes more than the booting + running instances", () => {
    const f = fleet();
    removeInstances(f, "drain-idle", 10, 1_000, seededRandom(1), () => undefined);
    expect(f.capacity).toBe(0);
    expect(phases(f)).not.toContain(BOOTING);
  });
});
