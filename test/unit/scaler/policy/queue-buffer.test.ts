/** The queue as a buffer for the fractional part of the capacity: when it may stand in, and when it may not. */
import { describe, expect, it } from "vitest";
import {
  type QueueBufferFacts,
  bufferedBacklog,
  slotsWithQueueBuffer,
} from "../../../../src/scaler/policy/queue-buffer.ts";

// 64 Erlangs of 60 s jobs (16 four-slot instances all busy), W = 5 min: the newest job may wait W/2.
const LONG_W: QueueBufferFacts = {
  ratePerSecond: 64 / 60,
  serviceSeconds: 60,
  squaredVariation: 1,
  backlog: 0,
  horizonSeconds: 600,
  runningSlots: 68,
  bootSeconds: 90,
  newestWaitSeconds: 150,
  deviations: 3,
};

describe("queue buffer", () => {
  it("lets an empty queue absorb the fraction of an instance when W is long against T", () => {
    // Erlang C asks for 65 slots, i.e. 17 instances; the queue absorbs the 65th slot for a flap window.
    const slots = slotsWithQueueBuffer(LONG_W, 68);
    expect(slots).toBeLessThanOrEqual(64);
    // …and the backlog it expects then still lets the newest job start within W/2.
    expect((bufferedBacklog(LONG_W, slots) * 60) / slots).toBeLessThanOrEqual(150);
    expect((bufferedBacklog(LONG_W, slots - 1) * 60) / (slots - 1)).toBeGreaterThan(150);
  });

  it("stands in for less once a backlog has built up, and for nothing when it is already too long", () => {
    const empty = slotsWithQueueBuffer(LONG_W, 68);
    const some = slotsWithQueueBuffer({ ...LONG_W, backlog: 60 }, 68);
    expect(some).toBeGreaterThan(empty);
    expect(slotsWithQueueBuffer({ ...LONG_W, backlog: 170 }, 68)).toBe(68);
  });

  it("never lowers a sizing when W is short against T", () => {
    // 38.4 Erlangs of 60 s jobs with W = 30 s: the budget is ~12 jobs, the backlog's noise is more.
    const shortW = { ...LONG_W, ratePerSecond: 0.64, newestWaitSeconds: 15, horizonSeconds: 40, bootSeconds: 30 };
    expect(slotsWithQueueBuffer(shortW, 48)).toBe(48);
  });

  it("checks a shrinking backlog early, not only at the horizon", () => {
    // 130 jobs waiting on 68 busy slots: drained within the horizon by a small surplus, but their newest job waits
    // 130 × 60 / 68 ≈ 115 s now, and more with the noise: the same slots are not enough at once.
    const waiting = { ...LONG_W, backlog: 130 };
    const slots = slotsWithQueueBuffer(waiting, 200);
    expect((130 * 60) / slots).toBeLessThan(150);
    expect(slots).toBeGreaterThan(68);
  });

  it("does not count slots still to boot as serving during the boot", () => {
    // No slot running yet: whatever is launched serves only after 240 s, so the queue grows meanwhile.
    const cold = { ...LONG_W, runningSlots: 0, bootSeconds: 240 };
    expect(bufferedBacklog(cold, 64)).toBeGreaterThan(bufferedBacklog(LONG_W, 64));
    expect(slotsWithQueueBuffer(cold, 68)).toBeGreaterThan(slotsWithQueueBuffer(LONG_W, 68));
  });

  it("leaves the sizing alone without load or time", () => {
    expect(slotsWithQueueBuffer({ ...LONG_W, ratePerSecond: 0 }, 5)).toBe(5);
    expect(slotsWithQueueBuffer({ ...LONG_W, serviceSeconds: 0 }, 5)).toBe(5);
    expect(slotsWithQueueBuffer(LONG_W, 1)).toBe(1);
  });
});
