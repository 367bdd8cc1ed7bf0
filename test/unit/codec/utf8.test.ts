/** The hand-written UTF-8 paths must agree exactly with TextEncoder/TextDecoder (fatal) on every input. */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { CodecError } from "../../../src/errors.ts";
import { decodeUtf8, encodeUtf8Into, utf8ByteLength } from "../../../src/codec/utf8.ts";

const encoder = new TextEncoder();

function encode(s: string): Uint8Array {
  const buf = new Uint8Array(s.length * 3 + 8);
  const end = encodeUtf8Into(buf, 3, s);
  return buf.slice(3, end);
}

describe("utf8", () => {
  const samples = [
    "",
    "a",
    "hello world",
    "h\u00e9llo",
    "\u65e5\u672c\u8a9e",
    "\u{1f600}",
    "a\u{1f600}b\u{1d11e}",
    "\ud800", // lone high surrogate
    "\udc00x", // lone low surrogate
    "\ud800\ud800\udc00", // high, then a valid pair
    "x\ud83d", // high surrogate at the end
    "\ufeffbom",
    "\u0000\u007f\u0080\u07ff\u0800\uffff",
    "long ".repeat(40),
    "\u00e9".repeat(60),
  ];

  it.each(samples.map((s) => [JSON.stringify(s), s]))("encodes %s exactly like TextEncoder", (_label, s) => {
    expect(encode(s)).toEqual(encoder.encode(s));
    expect(utf8ByteLength(s)).toBe(encoder.encode(s).length);
  });

  it("encodes and measures arbitrary strings (incl. lone surrogates) like TextEncoder", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 80 }), (s) => {
        expect(encode(s)).toEqual(encoder.encode(s));
        expect(utf8ByteLength(s)).toBe(encoder.encode(s).length);
      }),
      { numRuns: 2000 },
    );
  });

  it("decodes valid UTF-8 back to the same string, keeping a leading BOM", () => {
    fc.assert(
      fc.property(fc.string({ unit: "grapheme", maxLength: 60 }), (s) => {
        const bytes = encoder.encode(s);
        const padded = new Uint8Array(bytes.length + 4);
        padded.set(bytes, 2);
        expect(decodeUtf8(padded, 2, 2 + bytes.length)).toBe(s);
      }),
      { numRuns: 2000 },
    );
    const bom = encoder.encode("\ufeffx");
    expect(decodeUtf8(bom, 0, bom.length)).toBe("\ufeffx");
  });

  it("decodes every short ASCII length through the fixed-arity path", () => {
    const ascii = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
    for (let n = 0; n <= ascii.length; n++) {
      const bytes = encoder.encode(ascii.slice(0, n));
      expect(decodeUtf8(bytes, 0, n)).toBe(ascii.slice(0, n));
    }
  });

  const invalid: [string, number[]][] = [
    ["lone continuation", [0x80]],
    ["overlong NUL", [0xc0, 0x80]],
    ["overlong 3-byte", [0xe0, 0x80, 0xaf]],
    ["UTF-16 surrogate", [0xed, 0xa0, 0x80]],
    ["truncated 3-byte", [0xe2, 0x82]],
    ["beyond U+10FFFF", [0xf4, 0x90, 0x80, 0x80]],
    ["0xFF", [0xff]],
  ];
  it.each(invalid)("rejects %s with CODEC_INVALID_UTF8, short and long", (_label, bytes) => {
    for (const padding of [0, 40]) {
      const buf = new Uint8Array([...Array<number>(padding).fill(0x61), ...bytes]);
      const err = (() => {
        try {
          decodeUtf8(buf, 0, buf.length);
        } catch (e) {
          return e;
        }
        return undefined;
      })();
      expect(err).toBeInstanceOf(CodecError);
      expect((err as CodecError).code).toBe("CODEC_INVALID_UTF8");
    }
  });
});
