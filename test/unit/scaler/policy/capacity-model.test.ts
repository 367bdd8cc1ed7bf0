/** The capacity model: Erlang C with the Allen–Cunneen correction, and the backlog drain. */
import { describe, expect, it } from "vitest";
import {
  type BacklogAtServe,
  backlogWaitSeconds,
  probabilityOfLongWait,
  projectedBacklog,
  slotsForLoadAndBacklog,
  slotsForSteadyLoad,
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
});

describe("backlog sizing", () => {
  const waiting = (jobs: number, newestWaitSeconds: number, lump?: [number, number]): BacklogAtServe => ({
    jobs,
    newestWaitSeconds,
    lumpJobs: lump?.[0] ?? 0,
    lumpWaitSeconds: lump?.[1] ?? 0,
  });

  it("computes the newest job's wait: spare slots take jobs at once, the rest wait for completions", () => {
    // 70 slots, 60 Erlangs: 10 spare; 100 jobs leave 90 for completions at 70 per 30 s.
    expect(backlogWaitSeconds(100, 70, 60, 30)).toBeCloseTo((90 * 30) / 70, 10);
    expect(backlogWaitSeconds(5, 70, 60, 30)).toBe(0);
    expect(backlogWaitSeconds(5, 0, 0, 30)).toBe(Infinity);
  });

  it("adds at most the margin of the wait left for a backlog the steady fleet serves well within W", () => {
    // 1.1 jobs/s of 60 s jobs, W = 5 min: 35 waiting jobs wait about 30 s behind ~67 slots, which leaves less of W
    // for the steady model (one slot more); draining them within W/2 as before asked for ~14 more.
    const steady = slotsForSteadyLoad(1.1, 60, 1, 300, 0.08);
    expect(slotsForLoadAndBacklog(1.1, 60, 1, 300, 0.08, waiting(5, 150))).toBe(steady);
    expect(slotsForLoadAndBacklog(1.1, 60, 1, 300, 0.08, waiting(35, 150))).toBeLessThanOrEqual(steady + 1);
  });

  it("sizes a dump so its newest job still starts within the wait allowed, not one slot per job", () => {
    // 16 jobs/s of 1 s jobs and 4 627 jobs waiting; the newest may wait 60 s (the billing minimum).
    const slots = slotsForLoadAndBacklog(16, 1, 1, 30, 0.08, waiting(4627, 60));
    expect(backlogWaitSeconds(4627, slots, 16, 1)).toBeLessThan(60);
    expect(backlogWaitSeconds(4627, slots - 1, 16, 1)).toBeGreaterThanOrEqual(59);
    expect(slots).toBeLessThan(100);
  });

  it("drains a lump that can still make W within what is left of W for its last job", () => {
    // 300 one-minute jobs dumped 4 min ago (100 more arrived since), 60 s left for the last of them.
    const slots = slotsForLoadAndBacklog(0.5, 60, 1, 300, 0.08, waiting(400, 150, [300, 60]));
    expect(backlogWaitSeconds(300, slots, 30, 60)).toBeLessThanOrEqual(60);
    expect(backlogWaitSeconds(300, slots - 1, 30, 60)).toBeGreaterThan(60);
    // A lump that is late whatever is done constrains nothing beyond the newest job's wait.
    const late = slotsForLoadAndBacklog(0.5, 60, 1, 300, 0.08, waiting(400, 150, [300, -10]));
    expect(late).toBeLessThan(slots);
  });

  it("stops at the fleet's cap and answers quickly for absurd backlogs", () => {
    expect(slotsForLoadAndBacklog(16, 1, 1, 30, 0.08, waiting(1e15, 15), 600)).toBe(600);
    expect(slotsForLoadAndBacklog(0, 1, 1, 30, 0.08, waiting(0, 15))).toBe(0);
  });

  it("projects the backlog to when new capacity serves", () => {
    expect(projectedBacklog(100, 2, 60, 60, 90)).toBe(100 + (2 - 1) * 90);
    expect(projectedBacklog(10, 0, 60, 60, 90)).toBe(0);
  });
});
