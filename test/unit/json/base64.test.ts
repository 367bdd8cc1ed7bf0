/** The strict base64 codec of the JSON mapping, checked against Node's Buffer. */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decodeBase64, encodeBase64 } from "../../../src/codec/json/base64.ts";

describe("base64", () => {
  it("matches Buffer on random bytes, both ways (property)", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        const text = encodeBase64(bytes);
        expect(text).toBe(Buffer.from(bytes).toString("base64"));
        expect(decodeBase64(text)).toEqual(bytes);
      }),
      { numRuns: 500 },
    );
  });

  it("handles inputs longer than one encoding chunk", () => {
    const bytes = Uint8Array.from({ length: 100_001 }, (_, i) => (i * 7) & 255);
    const text = encodeBase64(bytes);
    expect(text).toBe(Buffer.from(bytes).toString("base64"));
    expect(decodeBase64(text)).toEqual(bytes);
  });

  it.each(["", "AA==", "AAA=", "AAAA", "+/+/", "////"])("accepts %j", (text) => {
    expect(decodeBase64(text)).toEqual(new Uint8Array(Buffer.from(text, "base64")));
  });

  it.each([
    "A",
    "AA",
    "AAA",
    "AA=",
    "A===",
    "====",
    "AB==",
    "AAB=",
    "A=AA",
    "AA==AA==",
    "AA\nA",
    " AAA",
    "-_-_",
    "AAé=",
    "AA%=",
  ])("rejects %j", (text) => {
    expect(decodeBase64(text)).toBeUndefined();
  });

  it("every accepted string is canonical (property)", () => {
    const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=";
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom(...alphabet), maxLength: 12 }), (text) => {
        const bytes = decodeBase64(text);
        if (bytes !== undefined) expect(encodeBase64(bytes)).toBe(text);
      }),
      { numRuns: 2000 },
    );
  });
});
