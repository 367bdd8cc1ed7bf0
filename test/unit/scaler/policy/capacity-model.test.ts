/** The capacity model: Erlang C with the Allen–Cunneen correction, and the backlog drain. */
import { describe, expect, it } from "vitest";
import {
  probabilityOfLongWait,
  slotsForSteadyLoad,
  slotsToDrainBacklog,
  slotsWithBacklog,
} from "../../../../src/scaler/policy/capacity-model.ts";

describe("capacity model", () => {
  it("matches Erlang C: M/M/2 with 1 Erlang waits with probability 1/3", () => {
    // P(wait > 0) = 1/3 for s = 2, a = 1; P(wait > t) = 1/3 · e^{-(s−a)t/T}.
    expect(probabilityOfLongWait(2, 1, 10, 1, 0)).toBeCloseTo(1 / 3, 10);
    expect(probabilityOfLongWait(2, 1, 10, 1, 10)).toBeCloseTo(Math.exp(-1) / 3, 10);
    expect(probabilityOfLongWait(3, 4, 10, 1, 10)).toBe(1);
  });

  it("sizes the fewest slots that keep long waits under the target share", () => {
    const slots = slotsForSteadyLoad(2, 30, 1, 30, 0.005);
    expect(slots).toBeGreaterThan(60);
    expect(probabilityOfLongWait(slots, 60, 30, 1, 30)).toBeLessThanOrEqual(0.005);
    expect(probabilityOfLongWait(slots - 1, 60, 30, 1, 30)).toBeGreaterThan(0.005);
  });

  it("needs relatively less margin for larger loads (square-root staffing)", () => {
    const small = slotsForSteadyLoad(1, 10, 1, 5, 0.005) / 10;
    const large = slotsForSteadyLoad(100, 10, 1, 5, 0.005) / 1000;
    expect(small).toBeGreaterThan(large);
    expect(large).toBeLessThan(1.1);
  });

  it("asks for more slots when job times vary more, fewer when W is longer", () => {
    expect(slotsForSteadyLoad(1, 60, 8, 30, 0.005)).toBeGreaterThan(slotsForSteadyLoad(1, 60, 1, 30, 0.005));
    expect(slotsForSteadyLoad(1, 60, 1, 300, 0.005)).toBeLessThan(slotsForSteadyLoad(1, 60, 1, 30, 0.005));
  });

  it("needs nothing for no load and stays finite for huge loads", () => {
    expect(slotsForSteadyLoad(0, 60, 1, 30, 0.005)).toBe(0);
    const huge = slotsForSteadyLoad(1e6, 60, 1, 30, 0.005);
    expect(huge).toBeGreaterThanOrEqual(6e7);
    expect(Number.isFinite(huge)).toBe(true);
  });

  it("drains a backlog within the horizon, at most one slot per job", () => {
    expect(slotsToDrainBacklog(100, 10, 50)).toBe(20);
    expect(slotsToDrainBacklog(5, 600, 60)).toBe(5);
    expect(slotsToDrainBacklog(0, 10, 50)).toBe(0);
    expect(slotsToDrainBacklog(10, 10, 0)).toBe(10);
  });
});

describe("slotsWithBacklog", () => {
  it("adds slots only for a backlog beyond what the steady margin clears", () => {
    // 60 Erlangs sized at 70 slots: 10 spare slots of 30 s jobs clear 10 jobs per 30 s horizon.
    expect(slotsWithBacklog(70, 60, 5, 30, 30)).toBe(70);
    expect(slotsWithBacklog(70, 60, 100, 30, 30)).toBe(160);
    expect(slotsWithBacklog(0, 0, 5000, 1, 10)).toBe(500);
  });
});
