/** Write-then-read round trips of every primitive type at its boundaries, in both protocols. */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createReader, createWriter } from "../../../src/codec/factory.ts";
import { TType } from "../../../src/codec/protocol.ts";
import { protocols, viaField } from "./helpers/roundtrip.ts";

describe.each(protocols)("%s primitive round trips", (protocol) => {
  it("bytes at the i8 boundaries", () => {
    for (const v of [-128, -1, 0, 1, 127]) {
      expect(
        viaField(
          protocol,
          TType.BYTE,
          (w) => w.writeByte(v),
          (r) => r.readByte(),
        ),
      ).toBe(v);
    }
  });

  it("i16, i32 and i64 at their boundaries", () => {
    for (const v of [-32768, -1, 0, 1, 32767]) {
      expect(
        viaField(
          protocol,
          TType.I16,
          (w) => w.writeI16(v),
          (r) => r.readI16(),
        ),
      ).toBe(v);
    }
    for (const v of [-2147483648, -1, 0, 1, 2147483647]) {
      expect(
        viaField(
          protocol,
          TType.I32,
          (w) => w.writeI32(v),
          (r) => r.readI32(),
        ),
      ).toBe(v);
    }
    for (const v of [-(2n ** 63n), -(2n ** 53n) - 1n, -1n, 0n, 1n, 2n ** 32n, 2n ** 53n + 1n, 2n ** 63n - 1n]) {
      expect(
        viaField(
          protocol,
          TType.I64,
          (w) => w.writeI64(v),
          (r) => r.readI64(),
        ),
      ).toBe(v);
    }
  });

  it("any i16/i32/i64 (property)", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -32768, max: 32767 }),
        fc.integer(),
        fc.bigInt(-(2n ** 63n), 2n ** 63n - 1n),
        (a, b, c) => {
          expect(
            viaField(
              protocol,
              TType.I16,
              (w) => w.writeI16(a),
              (r) => r.readI16(),
            ),
          ).toBe(a);
          expect(
            viaField(
              protocol,
              TType.I32,
              (w) => w.writeI32(b),
              (r) => r.readI32(),
            ),
          ).toBe(b);
          expect(
            viaField(
              protocol,
              TType.I64,
              (w) => w.writeI64(c),
              (r) => r.readI64(),
            ),
          ).toBe(c);
        },
      ),
      { numRuns: 1000 },
    );
  });

  it("doubles including NaN, infinities, -0 and denormals", () => {
    const values = [0, -0, 1.5, Number.NaN, Infinity, -Infinity, Number.MIN_VALUE, Number.MAX_VALUE, -1e-310, Math.PI];
    for (const v of values) {
      expect(
        Object.is(
          viaField(
            protocol,
            TType.DOUBLE,
            (w) => w.writeDouble(v),
            (r) => r.readDouble(),
          ),
          v,
        ),
      ).toBe(true);
    }
    fc.assert(
      fc.property(fc.double(), (v) => {
        expect(
          Object.is(
            viaField(
              protocol,
              TType.DOUBLE,
              (w) => w.writeDouble(v),
              (r) => r.readDouble(),
            ),
            v,
          ),
        ).toBe(true);
      }),
    );
  });

  it("strings: empty, multi-byte, astral, BOM, every prefix-width boundary", () => {
    const values = ["", "a", "h\u00e9llo", "\u65e5\u672c", "\u{1f600}\u{1d11e}", "\ufeff", "x".repeat(42)];
    for (const n of [43, 127, 128, 16383, 16384]) values.push("y".repeat(n), "\u00e9".repeat(n), "\u20ac".repeat(n));
    values.push("\u{1f600}".repeat(40_000)); // > 64K units: the exact-length path
    for (const v of values) {
      expect(
        viaField(
          protocol,
          TType.STRING,
          (w) => w.writeString(v),
          (r) => r.readString(),
        ),
      ).toBe(v);
    }
  });

  it("any string (property); lone surrogates come back as U+FFFD like TextEncoder", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 300 }), (v) => {
        const expected = new TextDecoder().decode(new TextEncoder().encode(v));
        expect(
          viaField(
            protocol,
            TType.STRING,
            (w) => w.writeString(v),
            (r) => r.readString(),
          ),
        ).toBe(expected);
      }),
      { numRuns: 1000 },
    );
  });

  it("binary: empty, tiny, pooled and large; the result is a copy", () => {
    for (const n of [0, 1, 16, 17, 64, 65, 4096, 4097, 100_000]) {
      const v = Uint8Array.from({ length: n }, (_, i) => (i * 7) & 0xff);
      const got = viaField(
        protocol,
        TType.STRING,
        (w) => w.writeBinary(v),
        (r) => r.readBinary(),
      );
      expect(got).toEqual(v);
    }
    const w = createWriter(protocol);
    w.writeBinary(Uint8Array.of(1, 2, 3));
    const input = w.finish();
    const out = createReader(input, protocol).readBinary();
    input.fill(0);
    expect(Array.from(out)).toEqual([1, 2, 3]);
  });
});
