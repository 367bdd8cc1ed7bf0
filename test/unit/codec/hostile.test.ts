/**
 * Hostile input: whatever the bytes, a reader either succeeds or throws a CodecError (never a TypeError,
 * RangeError or stack overflow), terminates, and allocates nothing a size field merely claims.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { BinaryReader } from "../../../src/codec/binary-reader.ts";
import { CompactReader } from "../../../src/codec/compact-reader.ts";
import { createReader } from "../../../src/codec/factory.ts";
import type { CodecLimits } from "../../../src/codec/limits.ts";
import { TType } from "../../../src/codec/protocol.ts";
import type { ProtocolName, ProtocolReader } from "../../../src/codec/protocol.ts";
import { CodecError } from "../../../src/errors.ts";
import { fromHex, loadGolden, readOps, walkValue } from "./helpers/scenarios.ts";

const golden = loadGolden();
const protocols = ["binary", "compact"] as const;

/** Runs `fn`; returns "ok" or the CodecError code, and rethrows anything that is not a CodecError. */
function outcome(fn: () => unknown): string {
  try {
    fn();
    return "ok";
  } catch (e) {
    if (e instanceof CodecError) return e.code;
    throw e;
  }
}

/** Every generic way of consuming untrusted bytes; each must end in "ok" or a CodecError. */
function walkAll(bytes: Uint8Array, protocol: ProtocolName, limits?: Partial<CodecLimits>): void {
  const open = (): ProtocolReader => createReader(bytes, protocol, limits);
  outcome(() => open().skip(TType.STRUCT));
  outcome(() => {
    const r = open();
    r.readMessageBegin();
    r.skip(TType.STRUCT);
  });
  outcome(() => walkValue(open(), TType.STRUCT, true));
  outcome(() => walkValue(open(), TType.STRUCT, false));
  outcome(() => {
    const r = open();
    r.readMessageBegin();
    walkValue(r, TType.STRUCT, true);
  });
  for (const type of [TType.LIST, TType.MAP, TType.STRING, TType.I64, TType.DOUBLE]) outcome(() => open().skip(type));
}

const compactVarint = (n: number): number[] => {
  const out: number[] = [];
  let v = n >>> 0;
  while (v > 0x7f) {
    out.push((v & 0x7f) | 0x80);
    v >>>= 7;
  }
  out.push(v);
  return out;
};

describe.each(protocols)("%s reader under hostile input", (protocol) => {
  it("throws CODEC_TRUNCATED at every truncation point of every golden vector", () => {
    for (const scenario of golden.scenarios) {
      const bytes = fromHex(scenario[protocol]);
      for (let cut = 0; cut < bytes.length; cut++) {
        const prefix = bytes.subarray(0, cut);
        expect(outcome(() => readOps(createReader(prefix, protocol), scenario.ops))).toBe("CODEC_TRUNCATED");
        walkAll(prefix, protocol);
      }
    }
  });

  it("survives random bytes (property)", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 256 }), (bytes) => walkAll(bytes, protocol)),
      { numRuns: 3000 },
    );
  });

  it("survives random mutations of valid encodings (property)", () => {
    const valid = golden.scenarios.map((s) => fromHex(s[protocol]));
    const mutation = fc.record({
      index: fc.nat(valid.length - 1),
      edits: fc.array(
        fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 }), fc.constantFrom("set", "insert", "delete")),
        {
          minLength: 1,
          maxLength: 6,
        },
      ),
      cut: fc.option(fc.nat()),
    });
    fc.assert(
      fc.property(mutation, ({ index, edits, cut }) => {
        const bytes = Array.from(valid[index]!);
        for (const [at, value, kind] of edits) {
          const pos = bytes.length === 0 ? 0 : at % bytes.length;
          if (kind === "set") bytes[pos] = value;
          else if (kind === "insert") bytes.splice(pos, 0, value);
          else bytes.splice(pos, 1);
        }
        const input = Uint8Array.from(cut === null ? bytes : bytes.slice(0, cut % (bytes.length + 1)));
        walkAll(input, protocol);
        walkAll(input, protocol, { maxDepth: 3, maxStringBytes: 8, maxContainerElements: 4 });
      }),
      { numRuns: 3000 },
    );
  });

  it("rejects input over maxMessageBytes at construction", () => {
    expect(outcome(() => createReader(new Uint8Array(11), protocol, { maxMessageBytes: 10 }))).toBe(
      "CODEC_LIMIT_EXCEEDED",
    );
    expect(outcome(() => createReader(new Uint8Array(10), protocol, { maxMessageBytes: 10 }))).toBe("ok");
  });

  it("enforces maxStringBytes on strings, binaries and skipped strings", () => {
    const w = (n: number): Uint8Array =>
      protocol === "binary"
        ? Uint8Array.of(0, 0, 0, n, ...Array<number>(n).fill(0x61))
        : Uint8Array.of(n, ...Array<number>(n).fill(0x61));
    const limits = { maxStringBytes: 10 };
    expect(outcome(() => createReader(w(10), protocol, limits).readString())).toBe("ok");
    expect(outcome(() => createReader(w(11), protocol, limits).readString())).toBe("CODEC_LIMIT_EXCEEDED");
    expect(outcome(() => createReader(w(11), protocol, limits).readBinary())).toBe("CODEC_LIMIT_EXCEEDED");
    expect(outcome(() => createReader(w(11), protocol, limits).skip(TType.STRING))).toBe("CODEC_LIMIT_EXCEEDED");
  });

  it("rejects huge claimed sizes before allocating: over the limit, or more than the bytes left", () => {
    const huge =
      protocol === "binary"
        ? Uint8Array.of(0x7f, 0xff, 0xff, 0xff, 0x61)
        : Uint8Array.of(...compactVarint(0x7fffffff), 0x61);
    expect(outcome(() => createReader(huge, protocol).readString())).toBe("CODEC_LIMIT_EXCEEDED");
    expect(outcome(() => createReader(huge, protocol, { maxStringBytes: 2 ** 31 }).readBinary())).toBe(
      "CODEC_TRUNCATED",
    );
    const list = (n: number, elementType: number): Uint8Array =>
      protocol === "binary"
        ? Uint8Array.of(elementType, n >>> 24, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff, 0, 0, 0, 0)
        : Uint8Array.of(0xf0 | (elementType === TType.I32 ? 5 : 8), ...compactVarint(n), 0, 0, 0, 0);
    expect(outcome(() => createReader(list(2_000_000_000, TType.I32), protocol).readListBegin())).toBe(
      "CODEC_LIMIT_EXCEEDED",
    );
    // 1000 i32s cannot fit in 4 bytes, whatever the limits say.
    expect(outcome(() => createReader(list(1000, TType.I32), protocol).readListBegin())).toBe("CODEC_TRUNCATED");
    expect(
      outcome(() => createReader(list(5, TType.STRING), protocol, { maxContainerElements: 4 }).skip(TType.LIST)),
    ).toBe("CODEC_LIMIT_EXCEEDED");
  });

  it("reports negative sizes as CODEC_NEGATIVE_SIZE", () => {
    const neg = protocol === "binary" ? [0xff, 0xff, 0xff, 0xff] : compactVarint(0xffffffff); // -1 as i32 / varint >= 2^31
    expect(outcome(() => createReader(Uint8Array.from(neg), protocol).readString())).toBe("CODEC_NEGATIVE_SIZE");
    expect(outcome(() => createReader(Uint8Array.from(neg), protocol).readBinary())).toBe("CODEC_NEGATIVE_SIZE");
    const listHeader = protocol === "binary" ? [TType.I32, ...neg] : [0xf5, ...neg];
    expect(outcome(() => createReader(Uint8Array.from(listHeader), protocol).readListBegin())).toBe(
      "CODEC_NEGATIVE_SIZE",
    );
    const mapHeader = protocol === "binary" ? [TType.I32, TType.I32, ...neg] : neg;
    expect(outcome(() => createReader(Uint8Array.from(mapHeader), protocol).readMapBegin())).toBe(
      "CODEC_NEGATIVE_SIZE",
    );
  });

  it("counts struct and container nesting against maxDepth, in reads and in skip", () => {
    // n nested structs, each the first field (id 1, STRUCT) of its parent.
    const nested = (n: number): Uint8Array => {
      const open = protocol === "binary" ? [TType.STRUCT, 0, 1] : [0x1c];
      return Uint8Array.from([...Array.from({ length: n - 1 }, () => open).flat(), ...Array<number>(n).fill(0)]);
    };
    expect(outcome(() => createReader(nested(64), protocol).skip(TType.STRUCT))).toBe("ok");
    expect(outcome(() => createReader(nested(65), protocol).skip(TType.STRUCT))).toBe("CODEC_DEPTH_EXCEEDED");
    expect(outcome(() => walkValue(createReader(nested(65), protocol), TType.STRUCT, true))).toBe(
      "CODEC_DEPTH_EXCEEDED",
    );
    expect(outcome(() => createReader(nested(4), protocol, { maxDepth: 3 }).skip(TType.STRUCT))).toBe(
      "CODEC_DEPTH_EXCEEDED",
    );
    // Lists of lists count too.
    const lists = (n: number): Uint8Array =>
      protocol === "binary"
        ? Uint8Array.from([
            ...Array.from({ length: n - 1 }, () => [TType.LIST, 0, 0, 0, 1]).flat(),
            TType.I32,
            0,
            0,
            0,
            0,
          ])
        : Uint8Array.from([...Array<number>(n - 1).fill(0x19), 0x05]);
    expect(outcome(() => createReader(lists(64), protocol).skip(TType.LIST))).toBe("ok");
    expect(outcome(() => createReader(lists(65), protocol).skip(TType.LIST))).toBe("CODEC_DEPTH_EXCEEDED");
  });

  it("skips 200,000 levels without a stack overflow when maxDepth allows it", () => {
    const n = 200_000;
    const bytes =
      protocol === "binary"
        ? Uint8Array.from([
            ...Array.from({ length: n - 1 }, () => [TType.LIST, 0, 0, 0, 1]).flat(),
            TType.I32,
            0,
            0,
            0,
            0,
          ])
        : Uint8Array.from([...Array<number>(n - 1).fill(0x19), 0x05]);
    const r = createReader(bytes, protocol, { maxDepth: 1_000_000 });
    r.skip(TType.LIST);
    expect(r.remaining).toBe(0);
  });

  it("rejects invalid wire types with CODEC_BAD_TYPE", () => {
    for (const type of [0, 1, 5, 7, 9, 17, 255, -1, Number.NaN]) {
      expect(outcome(() => createReader(new Uint8Array(32), protocol).skip(type))).toBe("CODEC_BAD_TYPE");
    }
    const badElement = protocol === "binary" ? [TType.VOID, 0, 0, 0, 1, 0] : [0x10, 0];
    expect(outcome(() => createReader(Uint8Array.from(badElement), protocol).readListBegin())).toBe("CODEC_BAD_TYPE");
    const badStructField = protocol === "binary" ? [7, 0, 1, 0] : [0x1e, 0];
    expect(outcome(() => createReader(Uint8Array.from(badStructField), protocol).skip(TType.STRUCT))).toBe(
      "CODEC_BAD_TYPE",
    );
  });

  it("rejects invalid UTF-8 in readString (skip and readBinary do not decode)", () => {
    const bad = protocol === "binary" ? [0, 0, 0, 2, 0xc0, 0x80] : [2, 0xc0, 0x80];
    expect(outcome(() => createReader(Uint8Array.from(bad), protocol).readString())).toBe("CODEC_INVALID_UTF8");
    expect(outcome(() => createReader(Uint8Array.from(bad), protocol).readBinary())).toBe("ok");
    expect(outcome(() => createReader(Uint8Array.from(bad), protocol).skip(TType.STRING))).toBe("ok");
  });

  it("rejects unbalanced struct/container ends and invalid message types", () => {
    expect(outcome(() => createReader(new Uint8Array(0), protocol).readStructEnd())).toBe("CODEC_INVALID_VALUE");
    expect(outcome(() => createReader(new Uint8Array(0), protocol).readContainerEnd())).toBe("CODEC_INVALID_VALUE");
    const header = (type: number): number[] =>
      protocol === "binary" ? [0x80, 0x01, 0x00, type, 0, 0, 0, 0, 0, 0, 0, 0] : [0x82, 0x01 | (type << 5), 0, 0];
    expect(outcome(() => createReader(Uint8Array.from(header(0)), protocol).readMessageBegin())).toBe(
      "CODEC_INVALID_VALUE",
    );
    expect(outcome(() => createReader(Uint8Array.from(header(5)), protocol).readMessageBegin())).toBe(
      "CODEC_INVALID_VALUE",
    );
  });
});

describe("protocol-specific hostile input", () => {
  it("binary: bad version words are CODEC_BAD_VERSION, including compact bytes", () => {
    for (const bytes of [
      [0x80, 0x02, 0x00, 0x01, 0, 0, 0, 0, 0, 0, 0, 0],
      [0xff, 0xff, 0xff, 0xff],
      [0x82, 0x21, 0x00, 0x01, 0x6d],
    ]) {
      expect(outcome(() => new BinaryReader(Uint8Array.from(bytes)).readMessageBegin())).toBe("CODEC_BAD_VERSION");
    }
  });

  it("binary: the old unversioned header is still size-checked", () => {
    expect(outcome(() => new BinaryReader(Uint8Array.of(0x7f, 0, 0, 0, 0x61)).readMessageBegin())).toBe(
      "CODEC_LIMIT_EXCEEDED",
    );
    expect(outcome(() => new BinaryReader(Uint8Array.of(0, 0, 0, 9, 0x61)).readMessageBegin())).toBe("CODEC_TRUNCATED");
  });

  it("compact: a bad protocol id or version is CODEC_BAD_VERSION, including binary bytes", () => {
    for (const bytes of [
      [0x83, 0x21, 0, 0],
      [0x82, 0x22, 0, 0],
      [0x80, 0x01, 0x00, 0x01],
    ]) {
      expect(outcome(() => new CompactReader(Uint8Array.from(bytes)).readMessageBegin())).toBe("CODEC_BAD_VERSION");
    }
  });

  it("compact: over-long varints are rejected", () => {
    const long32 = Uint8Array.of(0x80, 0x80, 0x80, 0x80, 0x80, 0x01);
    expect(outcome(() => new CompactReader(long32).readI32())).toBe("CODEC_INVALID_VALUE");
    expect(outcome(() => new CompactReader(long32).readString())).toBe("CODEC_INVALID_VALUE");
    const long64 = Uint8Array.from([...Array<number>(10).fill(0x80), 0x01]);
    expect(outcome(() => new CompactReader(long64).readI64())).toBe("CODEC_INVALID_VALUE");
    expect(outcome(() => new CompactReader(long64).skip(TType.I64))).toBe("CODEC_INVALID_VALUE");
    const max64 = Uint8Array.from([...Array<number>(9).fill(0xff), 0x01]);
    expect(new CompactReader(max64).readI64()).toBe(-(2n ** 63n));
  });

  it("compact: a 0xF0 header byte is STOP, as in Apache (only the type nibble counts)", () => {
    const r = new CompactReader(Uint8Array.of(0xf0));
    r.readStructBegin();
    expect(r.readFieldBegin()).toBe(TType.STOP);
  });
});
