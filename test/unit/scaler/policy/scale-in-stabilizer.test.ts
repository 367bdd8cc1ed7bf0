/** The scale-in stabilizer: out at once, in after the hold window, never below the in-flight need, hysteresis. */
import { describe, expect, it } from "vitest";
import {
  type ScaleInMemory,
  holdWindowMs,
  initialScaleIn,
  stabilizeScaleIn,
} from "../../../../src/scaler/policy/scale-in-stabilizer.ts";

describe("scale-in stabilizer", () => {
  it("ties the hold window to the boot delay", () => {
    expect(holdWindowMs(30_000, 120_000)).toBe(120_000);
    expect(holdWindowMs(240_000, 120_000)).toBe(540_000);
  });

  it("scales out at once", () => {
    const step = stabilizeScaleIn(initialScaleIn(), 0, 12, 12, 3, 0, 120_000);
    expect(step.desired).toBe(12);
    expect(step.heldBy).toBeNull();
  });

  it("scales in only after the hold window, to the highest capacity wanted within it", () => {
    let memory: ScaleInMemory = initialScaleIn();
    let current = 0;
    const desired: number[] = [];
    const wanted = [10, 4, 4, 6, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4];
    wanted.forEach((value, i) => {
      const step = stabilizeScaleIn(memory, i * 10_000, value, value, current, 0, 60_000);
      memory = step.memory;
      current = step.desired;
      desired.push(step.desired);
    });
    expect(desired.slice(0, 6)).toEqual([10, 10, 10, 10, 10, 10]);
    expect(desired[6]).toBe(6);
    expect(desired.at(-1)).toBe(4);
  });

  it("never goes below the instances the in-flight work needs", () => {
    const step = stabilizeScaleIn(initialScaleIn(), 0, 0, 0, 10, 7, 0);
    expect(step.desired).toBe(7);
    expect(step.heldBy).toMatch(/in-flight work needs 7/);
  });

  it("keeps capacity inside the noise band (no scale-in while the raised need still asks for it)", () => {
    const step = stabilizeScaleIn(initialScaleIn(), 0, 9, 10, 10, 0, 0);
    expect(step.desired).toBe(10);
    expect(step.heldBy).toMatch(/noise band/);
    expect(stabilizeScaleIn(initialScaleIn(), 0, 9, 9, 10, 0, 0).desired).toBe(9);
  });

  it("bounds its memory", () => {
    let memory: ScaleInMemory = initialScaleIn();
    for (let i = 0; i < 2000; i += 1) memory = stabilizeScaleIn(memory, i * 1000, 5, 5, 5, 0, 1e9).memory;
    expect(memory.recent.length).toBeLessThanOrEqual(256);
  });
});
