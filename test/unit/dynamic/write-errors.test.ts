/** Encoding errors: exact codes, messages and paths for every class of bad value. */
import { describe, expect, it } from "vitest";
import { encodeStruct, writeValue } from "../../../src/codec/dynamic/index.ts";
import { createWriter } from "../../../src/codec/factory.ts";
import { CodecError } from "../../../src/errors.ts";
import { expectCodecError } from "./error-helpers.ts";
import { T, def, index, protocols } from "./schema-fixtures.ts";

const encode =
  (name: string, value: unknown, protocol: "binary" | "compact" = "binary") =>
  () =>
    encodeStruct(index, def(name), value, protocol);

describe.each(protocols)("encode errors (%s)", (protocol) => {
  const E = (value: unknown) => encode("Everything", value, protocol);

  it.each([
    [{ b: 1 }, "b: expected bool, got 1"],
    [{ byte: 128 }, "byte: expected i8, got 128"],
    [{ byte: -129 }, "byte: expected i8, got -129"],
    [{ small: 32768 }, "small: expected i16, got 32768"],
    [{ medium: 2 ** 31 }, "medium: expected i32, got 2147483648"],
    [{ medium: 1.5 }, "medium: expected i32, got 1.5"],
    [{ medium: "1" }, 'medium: expected i32, got "1"'],
    [{ medium: 1n }, "medium: expected i32, got 1n"],
    [{ medium: Number.NaN }, "medium: expected i32, got NaN"],
    [{ big: "x" }, 'big: expected i64, got "x"'],
    [{ big: 5 }, "big: expected i64, got 5"],
    [{ big: 2n ** 63n }, "big: expected i64, got 9223372036854775808n"],
    [{ big: -(2n ** 63n) - 1n }, "big: expected i64, got -9223372036854775809n"],
    [{ d: "1.5" }, 'd: expected double, got "1.5"'],
    [{ s: 5 }, "s: expected string, got 5"],
    [{ bin: "AAEC" }, 'bin: expected binary, got "AAEC"'],
    [{ bin: [1, 2] }, "bin: expected binary, got [1,2]"],
    [{ color: "RED" }, 'color: expected enum t.Color, got "RED"'],
    [{ color: 2 ** 31 }, "color: expected enum t.Color, got 2147483648"],
    [{ ints: new Set([1]) }, "ints: expected list<i32>, got Set(1)"],
    [{ ints: [1, "2"] }, 'ints[1]: expected i32, got "2"'],
    // eslint-disable-next-line no-sparse-arrays
    [{ ints: [1, , 3] }, "ints[1]: expected i32, got undefined"],
    [{ tags: ["a"] }, 'tags: expected set<string>, got ["a"]'],
    [{ tags: new Set(["a", 1]) }, "tags[1]: expected string, got 1"],
    [{ points: { p: { x: 1, y: 2 } } }, 'points: expected map<string, struct t.Point>, got {"p":{"x":1,"y":2}}'],
    [{ points: new Map([["p", { x: 1 }]]) }, 'points["p"].y: missing required field'],
    [{ points: new Map([[1, { x: 1, y: 1 }]]) }, "points[1]: expected string, got 1"],
    [
      {
        nested: new Map([
          [
            3n,
            [
              { x: 1, y: 2 },
              { x: 1, y: 1.5 },
            ],
          ],
        ]),
      },
      "nested[3][1].y: expected i32, got 1.5",
    ],
    [{ byColor: new Map([[1, "x"]]) }, 'byColor[1]: expected double, got "x"'],
    [{ byPoint: new Map([[{ x: "0", y: 0 }, "o"]]) }, 'byPoint[<key>].x: expected i32, got "0"'],
    [{ byBool: new Map([[true, 300]]) }, "byBool[true]: expected i8, got 300"],
    [{ choice: { text: "a", number: 1 } }, "choice: a union must have exactly one field set, got 2"],
    [{ choice: {} }, "choice: a union must have exactly one field set, got 0"],
    [{ choice: { point: { x: 1, y: null } } }, "choice.point.y: missing required field"],
    [{ choice: "text" }, 'choice: expected union t.Choice, got "text"'],
    [{ oops: [] }, "oops: expected exception t.Oops, got []"],
    [{ deep: [new Map([[1, new Set([1n, 2])]])] }, "deep[0][1][1]: expected i64, got 2"],
    [{ bySmall: new Map([[-5, [new Uint8Array(1), null]]]) }, "bySmall[-5][1]: expected binary, got null"],
    [{ byList: new Map([[[1, 2.5], "x"]]) }, "byList[<key>][1]: expected i32, got 2.5"],
  ])("%o -> %s", (value, message) => {
    const error = expectCodecError(
      E(value),
      message.endsWith("missing required field")
        ? "CODEC_MISSING_REQUIRED"
        : message.includes("a union must")
          ? "CODEC_UNION"
          : "CODEC_INVALID_VALUE",
      message,
    );
    expect(error.path).toBe(message.slice(0, message.indexOf(": ")));
  });

  it("missing required fields name their path", () => {
    expectCodecError(encode("Job", {}, protocol), "CODEC_MISSING_REQUIRED", "owner: missing required field");
    expectCodecError(
      encode("Ledger", { jobs: new Map([[4, { priority: 1 }]]) }, protocol),
      "CODEC_MISSING_REQUIRED",
      "jobs[4].owner: missing required field",
    );
    expectCodecError(
      encode("Ledger", { ledger: new Map([["a", [{ micros: 1n }, { micros: "x" }]]]) }, protocol),
      "CODEC_INVALID_VALUE",
      'ledger["a"][1].micros: expected i64, got "x"',
    );
  });

  it("a struct value that is not an object", () => {
    expectCodecError(encode("Point", 5, protocol), "CODEC_INVALID_VALUE", "expected struct t.Point, got 5");
    expectCodecError(encode("Point", null, protocol), "CODEC_INVALID_VALUE", "expected struct t.Point, got null");
    expectCodecError(
      encode("Point", new Map(), protocol),
      "CODEC_INVALID_VALUE",
      "expected struct t.Point, got Map(0)",
    );
  });

  it("an empty union can never be written", () => {
    expectCodecError(encode("Nothing", {}, protocol), "CODEC_UNION", "a union must have exactly one field set, got 0");
  });

  it("long values are truncated in messages", () => {
    const error = expectCodecError(
      E({ medium: "x".repeat(100) }),
      "CODEC_INVALID_VALUE",
      `medium: expected i32, got "${"x".repeat(38)}…`,
    );
    expect(error.detail.length).toBeLessThan(60);
  });

  it("cyclic values fail with CODEC_DEPTH_EXCEEDED instead of overflowing the stack", () => {
    const tree: Record<string, unknown> = { name: "loop" };
    tree.children = [tree];
    const error = expectCodecError(
      encode("Tree", tree, protocol),
      "CODEC_DEPTH_EXCEEDED",
      `${Array<string>(500).fill("children[0]").join(".")}: value nests deeper than 1000 levels (is it cyclic?)`,
    );
    expect(error.path.startsWith("children[0].children[0]")).toBe(true);
  });

  it("exceptions thrown by getters become CodecErrors with the field path", () => {
    const value = {
      get s(): string {
        throw new TypeError("boom");
      },
    };
    const error = expectCodecError(E(value), "CODEC_INVALID_VALUE", "s: boom");
    expect(error.cause).toBeInstanceOf(TypeError);
  });

  it("the pooled writer starts clean after a failed encode", () => {
    expect(() => E({ medium: 1, s: 5 })()).toThrow(CodecError);
    const again = encodeStruct(index, def("Point"), { x: 1, y: 2 }, protocol);
    const fresh = createWriter(protocol);
    fresh.writeStructBegin();
    fresh.writeFieldBegin(8, 1);
    fresh.writeI32(1);
    fresh.writeFieldBegin(8, 2);
    fresh.writeI32(2);
    fresh.writeFieldStop();
    fresh.writeStructEnd();
    expect(again).toEqual(fresh.finish());
  });
});

describe("writeValue", () => {
  it("validates bare values without a path", () => {
    expectCodecError(
      () => writeValue(index, T.i16, 1e6, createWriter("binary")),
      "CODEC_INVALID_VALUE",
      "expected i16, got 1000000",
    );
    expectCodecError(
      () => writeValue(index, T.list(T.double), [1, null], createWriter("binary")),
      "CODEC_INVALID_VALUE",
      "[1]: expected double, got null",
    );
  });

  it("an unknown protocol name is reported as a CodecError", () => {
    expect(() => encodeStruct(index, def("Point"), { x: 1, y: 1 }, "json" as "binary")).toThrow(CodecError);
  });
});
