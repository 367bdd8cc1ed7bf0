/** UUIDv7 job ids: RFC 9562 layout, time-ordered, unique, and strictly increasing within one millisecond. */
import { describe, expect, it } from "vitest";
import { uuidv7, uuidv7Timestamp } from "thrift-queue";

const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe("uuidv7", () => {
  it("has the version 7 layout and carries its creation time", () => {
    const at = Date.UTC(2026, 10, 23, 1, 2, 3, 456);
    const id = uuidv7(at);
    expect(id).toMatch(UUID_V7);
    expect(uuidv7Timestamp(id)).toBe(at);
    expect(uuidv7Timestamp("not-a-uuid")).toBeUndefined();
  });

  it("is unique and strictly increasing across many ids in one millisecond and across the random pool", () => {
    const now = Date.now() + 60_000;
    const ids = Array.from({ length: 5000 }, () => uuidv7(now));
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual(ids);
    for (const id of ids) expect(id).toMatch(UUID_V7);
  });

  it("never goes backwards when the clock does", () => {
    const later = uuidv7(Date.now() + 120_000);
    expect(uuidv7(Date.now()) > later).toBe(true);
  });
});
