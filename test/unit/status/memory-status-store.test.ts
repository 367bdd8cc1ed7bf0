import { describe, expect, it } from "vitest";
import { MemoryStatusStore, openStatusStore } from "thrift-queue";
import { runStatusStoreConformance } from "../../conformance/status-store-conformance.ts";

let next = 0;
runStatusStoreConformance("memory", {
  open: () => {
    const name = `conformance-${next++}`;
    return Promise.resolve({
      store: new MemoryStatusStore(name),
      another: () => Promise.resolve(new MemoryStatusStore(name)),
    });
  },
});

describe("memory: URLs", () => {
  it("open a fresh store each time, or one shared by name", async () => {
    const first = await openStatusStore("memory:");
    const second = await openStatusStore("memory:");
    await first.enqueued([{ id: "a", service: "S", method: "m", enqueuedAt: 1 }]);
    expect(await second.get("a")).toBeUndefined();
    const named = await openStatusStore("memory://shared-url-test");
    const sameName = await openStatusStore("memory://shared-url-test");
    await named.enqueued([{ id: "b", service: "S", method: "m", enqueuedAt: 1 }]);
    expect((await sameName.get("b"))?.state).toBe("queued");
  });

  it("reject other schemes with a ConfigError", async () => {
    await expect(openStatusStore("redis://x")).rejects.toMatchObject({ code: "CONFIG_INVALID" });
    await expect(openStatusStore("not a url")).rejects.toMatchObject({ code: "CONFIG_INVALID" });
  });
});
