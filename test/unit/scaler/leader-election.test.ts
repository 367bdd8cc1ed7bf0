import { describe, expect, it } from "vitest";
import { StatusStoreError } from "../../../src/errors.ts";
import { LeaderElection } from "../../../src/scaler/leader-election.ts";
import { MemoryStatusStore } from "../../../src/status/memory/memory-status-store.ts";
import type { StatusStore } from "../../../src/status/status-store.ts";

const T0 = 1_700_000_000_000;

function election(store: StatusStore, holder: string, ttlMs = 20_000): LeaderElection {
  return new LeaderElection({ store, leaseName: "scaler:q", holder, ttlMs });
}

describe("LeaderElection", () => {
  it("gives the lease to one claimant, renews it without changing the token, and reports gains once", async () => {
    const store = new MemoryStatusStore();
    const a = election(store, "a");
    const b = election(store, "b");
    const first = await a.renew(T0);
    expect(first).toMatchObject({ gained: true, lost: false, lease: { holder: "a" } });
    expect(await b.renew(T0 + 1)).toEqual({ lease: undefined, gained: false, lost: false });
    const renewed = await a.renew(T0 + 5_000);
    expect(renewed.gained).toBe(false);
    expect(renewed.lease?.token).toBe(first.lease?.token);
    expect(renewed.lease?.expiresAt).toBe(T0 + 25_000);
  });

  it("hands the lease over once it lapsed, with a larger token; the old holder learns it lost", async () => {
    const store = new MemoryStatusStore();
    const a = election(store, "a");
    const b = election(store, "b");
    const held = await a.renew(T0);
    expect((await b.renew(T0 + 19_999)).lease).toBeUndefined();
    const taken = await b.renew(T0 + 20_000);
    expect(taken.gained).toBe(true);
    expect(taken.lease!.token).toBeGreaterThan(held.lease!.token);
    expect(await a.renew(T0 + 20_001)).toEqual({ lease: undefined, gained: false, lost: true });
  });

  it("resign releases the lease so another claimant takes it at once", async () => {
    const store = new MemoryStatusStore();
    const a = election(store, "a");
    const b = election(store, "b");
    await a.renew(T0);
    await a.resign();
    expect(a.leaseAt(T0 + 1)).toBeUndefined();
    expect((await b.renew(T0 + 1)).gained).toBe(true);
  });

  it("keeps the lease it holds through a store error until it lapses", async () => {
    const store = new MemoryStatusStore();
    let down = false;
    const flaky: StatusStore = Object.assign(Object.create(store) as StatusStore, {
      acquireLease: (claim: Parameters<StatusStore["acquireLease"]>[0]) =>
        down
          ? Promise.reject(new StatusStoreError("STORE_UNAVAILABLE", "down", { retryable: true }))
          : store.acquireLease(claim),
    });
    const a = election(flaky, "a");
    await a.renew(T0);
    down = true;
    await expect(a.renew(T0 + 5_000)).rejects.toThrow("down");
    expect(a.leaseAt(T0 + 19_999)?.holder).toBe("a");
    expect(a.leaseAt(T0 + 20_000)).toBeUndefined();
  });
});
