/** The scale-in stabilizer: out at once, in after the hold windows, never below the in-flight need, hysteresis. */
import { describe, expect, it } from "vitest";
import {
  type HoldWindows,
  type ScaleInMemory,
  type WantedCapacity,
  holdWindows,
  initialScaleIn,
  stabilizeScaleIn,
} from "../../../../src/scaler/policy/scale-in-stabilizer.ts";

const WINDOWS: HoldWindows = { shortMs: 60_000, longMs: 120_000, largeDropShare: 0.25 };
/** A memory that has seen evaluations long ago (not a fresh scaler). */
const WARM: ScaleInMemory = { recent: [[-1_000_000_000, 0]] };

/** What the load asks for, and for the load raised by its noise (the low side equal to the estimate, no band). */
function capacity(wanted: number, wantedHigh: number, wantedLow = wanted): WantedCapacity {
  return { wanted, wantedLow, wantedHigh };
}

/** Runs the stabilizer over wanted capacities, one every 10 s, the fleet following each decision. */
function run(wanted: readonly number[], windows: HoldWindows = WINDOWS): number[] {
  let memory: ScaleInMemory = initialScaleIn();
  let current = 0;
  return wanted.map((value, i) => {
    const step = stabilizeScaleIn(memory, i * 10_000, capacity(value, value), current, 0, windows);
    memory = step.memory;
    current = step.desired;
    return step.desired;
  });
}

describe("scale-in stabilizer", () => {
  it("ties the short window to the boot delay and keeps the long one at 10 min at least", () => {
    expect(holdWindows(30_000, 120_000)).toMatchObject({ shortMs: 120_000, longMs: 600_000 });
    expect(holdWindows(240_000, 120_000)).toMatchObject({ shortMs: 300_000, longMs: 600_000 });
    expect(holdWindows(600_000, 120_000)).toMatchObject({ shortMs: 660_000, longMs: 660_000 });
  });

  it("scales out at once", () => {
    const step = stabilizeScaleIn(initialScaleIn(), 0, capacity(12, 12), 3, 0, WINDOWS);
    expect(step.desired).toBe(12);
    expect(step.heldBy).toBeNull();
  });

  it("lets a large drop through after the short window, to the highest capacity wanted within it", () => {
    const desired = run([10, 4, 4, 6, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4]);
    // 10 wanted at t = 0 is held for 60 s; then 6 (wanted at 30 s) until 90 s; then 4.
    expect(desired.slice(0, 7)).toEqual(new Array<number>(7).fill(10));
    expect(desired.slice(7, 10)).toEqual([6, 6, 6]);
    expect(desired[10]).toBe(4);
    expect(desired.at(-1)).toBe(4);
  });

  it("holds a small drop for the long window", () => {
    const desired = run([10, ...new Array<number>(15).fill(9)]);
    // 9 is a 10% drop: it waits 120 s, not 60 s.
    expect(desired.slice(0, 13)).toEqual(new Array<number>(13).fill(10));
    expect(desired.slice(13)).toEqual([9, 9, 9]);
  });

  it("never goes below the instances the in-flight work needs", () => {
    const step = stabilizeScaleIn(WARM, 0, capacity(0, 0), 10, 7, WINDOWS);
    expect(step.desired).toBe(7);
    expect(step.heldBy).toMatch(/in-flight work needs 7/);
  });

  it("keeps capacity inside the noise band (no scale-in while the raised need still asks for it)", () => {
    const step = stabilizeScaleIn(WARM, 0, capacity(9, 10), 10, 0, WINDOWS);
    expect(step.desired).toBe(10);
    expect(step.heldBy).toMatch(/noise band/);
    expect(stabilizeScaleIn(WARM, 0, capacity(9, 9), 10, 0, { ...WINDOWS, longMs: 0, shortMs: 0 }).desired).toBe(9);
  });

  it("keeps the fleet a fresh scaler finds until the hold window has passed", () => {
    const first = stabilizeScaleIn(initialScaleIn(), 0, capacity(0, 0), 5, 0, WINDOWS);
    expect(first.desired).toBe(5);
    const later = stabilizeScaleIn(first.memory, 30_000, capacity(0, 0), 5, 0, WINDOWS);
    expect(later.desired).toBe(5);
    expect(stabilizeScaleIn(later.memory, 70_000, capacity(0, 0), 5, 0, WINDOWS).desired).toBe(0);
  });

  it("keeps a small memory whatever the evaluation rate", () => {
    let memory: ScaleInMemory = initialScaleIn();
    for (let i = 0; i < 5000; i += 1)
      memory = stabilizeScaleIn(memory, i * 100, capacity(5 + (i % 3), 5), 7, 0, WINDOWS).memory;
    expect(memory.recent.length).toBeLessThanOrEqual(3);
  });
  it("adds capacity only when even the load lowered by its noise asks for it", () => {
    // The estimate asks 11 of 10, but the same load one standard error lower fits in 10: a wobble, not a rise.
    const wobble = stabilizeScaleIn(WARM, 0, capacity(11, 12, 10), 10, 0, WINDOWS);
    expect(wobble.desired).toBe(10);
    expect(wobble.heldBy).toBe("rise within the noise band, kept 10");
    expect(stabilizeScaleIn(WARM, 0, capacity(14, 15, 12), 10, 0, WINDOWS).desired).toBe(14);
    // Scale from zero is always a rise.
    expect(stabilizeScaleIn(WARM, 0, capacity(1, 1, 1), 0, 0, WINDOWS).desired).toBe(1);
  });

  it("forgets what was wanted before a confirmed rate drop, keeping only the band and the in-flight floor", () => {
    // A burst's 40 instances were wanted 30 s ago; the rate has dropped beyond doubt and 12 are wanted now.
    const burst = stabilizeScaleIn(WARM, 0, capacity(40, 40), 40, 0, WINDOWS).memory;
    const held = stabilizeScaleIn(burst, 30_000, capacity(12, 14), 40, 20, WINDOWS);
    expect(held.desired).toBe(40);
    const dropped = stabilizeScaleIn(burst, 30_000, capacity(12, 14), 40, 20, WINDOWS, true);
    expect(dropped.desired).toBe(20);
    expect(dropped.heldBy).toContain("in-flight");
    const idle = stabilizeScaleIn(burst, 30_000, capacity(12, 14), 40, 0, WINDOWS, true);
    expect(idle.desired).toBe(14);
    // What is wanted after the drop is held as usual.
    const later = stabilizeScaleIn(idle.memory, 40_000, capacity(10, 10), 14, 0, WINDOWS);
    expect(later.desired).toBe(14);
  });
});
