/** The event heap and the job queue: order, ties, growth, redelivery at the head. */
import { describe, expect, it } from "vitest";
import { EventHeap } from "../../../../src/scaler/simulation/event-heap.ts";
import { JobQueue } from "../../../../src/scaler/simulation/job-queue.ts";
import { seededRandom } from "../../../../src/scaler/simulation/seeded-random.ts";

describe("EventHeap", () => {
  it("pops in time order, ties by kind then id, through growth", () => {
    const heap = new EventHeap();
    const random = seededRandom(9);
    const pushed: [number, number, number][] = [];
    for (let i = 0; i < 1_000; i += 1) {
      const event: [number, number, number] = [Math.floor(random() * 50), Math.floor(random() * 3), i];
      pushed.push(event);
      heap.push(...event);
    }
    const popped: [number, number, number][] = [];
    while (heap.size > 0) {
      popped.push([heap.peekTime(), heap.peekKind(), heap.peekId()]);
      heap.pop();
    }
    const sorted = [...pushed].sort((a, b) => a[0] - b[0] || a[1] - b[1] || a[2] - b[2]);
    expect(popped).toEqual(sorted);
    expect(heap.peekTime()).toBe(Infinity);
  });
});

describe("JobQueue", () => {
  it("is FIFO, puts redelivered work at the head, and keeps order when it grows", () => {
    const queue = new JobQueue();
    for (let i = 0; i < 3_000; i += 1) queue.pushBack(i, i * 10);
    queue.pushFront(-1, 5);
    expect(queue.length).toBe(3_001);
    expect(queue.oldestArrival()).toBe(-1);
    expect([queue.peekArrival(), queue.peekService()]).toEqual([-1, 5]);
    queue.shift();
    for (let i = 0; i < 3_000; i += 1) {
      expect(queue.peekArrival()).toBe(i);
      expect(queue.peekService()).toBe(i * 10);
      queue.shift();
    }
    expect(queue.length).toBe(0);
    expect(queue.oldestArrival()).toBeUndefined();
  });
});
