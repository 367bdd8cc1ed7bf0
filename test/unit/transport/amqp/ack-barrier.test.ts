/** The ack barrier shares round trips between acks and never resolves before a round trip started after it. */
import { describe, expect, it } from "vitest";
import { AckBarrier } from "../../../../src/transport/amqp/ack-barrier.ts";

function controlledRoundTrips(): { barrier: AckBarrier; finish: (error?: Error) => void; started: () => number } {
  const pending: ((error?: Error) => void)[] = [];
  let started = 0;
  const barrier = new AckBarrier(
    () =>
      new Promise<void>((resolve, reject) => {
        started++;
        pending.push((error) => (error ? reject(error) : resolve()));
      }),
  );
  return { barrier, finish: (error) => pending.shift()?.(error), started: () => started };
}

const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe("AckBarrier", () => {
  it("shares one round trip between waits made before it starts", async () => {
    const { barrier, finish, started } = controlledRoundTrips();
    const waits = [barrier.wait(), barrier.wait(), barrier.wait()];
    await tick();
    expect(started()).toBe(1);
    finish();
    await Promise.all(waits);
    expect(started()).toBe(1);
  });

  it("makes a wait during a round trip wait for the next one", async () => {
    const { barrier, finish, started } = controlledRoundTrips();
    const first = barrier.wait();
    await tick();
    let secondDone = false;
    const second = barrier.wait().then(() => (secondDone = true));
    finish();
    await first;
    await tick();
    expect(secondDone).toBe(false);
    expect(started()).toBe(2);
    finish();
    await second;
  });

  it("rejects the waits of a failed round trip and keeps working", async () => {
    const { barrier, finish } = controlledRoundTrips();
    const failed = barrier.wait();
    await tick();
    finish(new Error("channel closed"));
    await expect(failed).rejects.toThrow("channel closed");
    const next = barrier.wait();
    await tick();
    finish();
    await expect(next).resolves.toBeUndefined();
  });
});
