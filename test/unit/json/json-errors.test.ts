/** JSON input and output errors: exact codes, messages and paths (the CLI prints them as one line). */
import { describe, expect, it } from "vitest";
import { structFromJson, structToJson, valueFromJson, valueToJson } from "../../../src/codec/json/index.ts";
import { codecErrorOf, expectCodecError } from "../dynamic/error-helpers.ts";
import { T, def, index } from "../dynamic/schema-fixtures.ts";

const fromJson = (name: string, json: unknown) => () => structFromJson(index, def(name), json);
const INVALID = "CODEC_INVALID_VALUE";

describe("structFromJson errors", () => {
  it.each([
    [{ b: "true" }, 'b: expected bool, got "true"'],
    [{ byte: 128 }, "byte: expected i8, got 128"],
    [{ small: -32769 }, "small: expected i16, got -32769"],
    [{ medium: 2147483648 }, "medium: expected i32, got 2147483648"],
    [{ medium: 1.5 }, "medium: expected i32, got 1.5"],
    [{ medium: "1" }, 'medium: expected i32, got "1"'],
    [{ big: "x" }, 'big: expected i64, got "x"'],
    [{ big: 9007199254740992 }, "big: expected i64, got 9007199254740992"],
    [{ big: 1.5 }, "big: expected i64, got 1.5"],
    [{ big: "1.0" }, 'big: expected i64, got "1.0"'],
    [{ big: "+1" }, 'big: expected i64, got "+1"'],
    [{ big: "01" }, 'big: expected i64, got "01"'],
    [{ big: "-0" }, 'big: expected i64, got "-0"'],
    [{ big: " 1" }, 'big: expected i64, got " 1"'],
    [{ big: "9223372036854775808" }, 'big: expected i64, got "9223372036854775808"'],
    [{ big: "-9223372036854775809" }, 'big: expected i64, got "-9223372036854775809"'],
    [{ big: "1".repeat(100) }, `big: expected i64, got "${"1".repeat(38)}…`],
    [{ d: "1.5" }, 'd: expected double, got "1.5"'],
    [{ d: "nan" }, 'd: expected double, got "nan"'],
    [{ d: true }, "d: expected double, got true"],
    [{ s: 1 }, "s: expected string, got 1"],
    [{ bin: "AQI" }, 'bin: expected binary (base64), got "AQI"'],
    [{ bin: "AQ=I" }, 'bin: expected binary (base64), got "AQ=I"'],
    [{ bin: "AR==" }, 'bin: expected binary (base64), got "AR=="'],
    [{ bin: "_-8=" }, 'bin: expected binary (base64), got "_-8="'],
    [{ bin: "AQ I" }, 'bin: expected binary (base64), got "AQ I"'],
    [{ bin: [1, 2] }, "bin: expected binary (base64), got [1,2]"],
    [{ color: "PURPLE" }, 'color: expected enum t.Color, got "PURPLE"'],
    [{ color: "red" }, 'color: expected enum t.Color, got "red"'],
    [{ color: "1" }, 'color: expected enum t.Color, got "1"'],
    [{ color: 2 ** 31 }, "color: expected enum t.Color, got 2147483648"],
    [{ ints: { 0: 1 } }, 'ints: expected list<i32>, got {"0":1}'],
    [{ ints: [1, null] }, "ints[1]: expected i32, got null"],
    [{ tags: "a" }, 'tags: expected set<string>, got "a"'],
    [{ points: 5 }, "points: expected map<string, struct t.Point>, got 5"],
    [{ points: { p: { x: 1, y: "2" } } }, 'points["p"].y: expected i32, got "2"'],
    [{ points: [["p", { x: 1, y: "2" }]] }, 'points[0][1].y: expected i32, got "2"'],
    [{ points: [["p"]] }, 'points[0]: expected [key, value] pair, got ["p"]'],
    [{ points: [[1, { x: 1, y: 1 }]] }, "points[0][0]: expected string, got 1"],
    [{ nested: { "12": [{ x: 1, y: 1 }, { x: "a" }] } }, 'nested[12][1].x: expected i32, got "a"'],
    [{ nested: { abc: [] } }, 'nested["abc"]: expected i64, got "abc"'],
    [{ nested: { "1.0": [] } }, 'nested["1.0"]: expected i64, got "1.0"'],
    [{ bySmall: { "32768": [] } }, 'bySmall["32768"]: expected i16, got "32768"'],
    [{ bySmall: { "-0": [] } }, 'bySmall["-0"]: expected i16, got "-0"'],
    [{ bySmall: { "5": ["***"] } }, 'bySmall[5][0]: expected binary (base64), got "***"'],
    [{ byColor: { PURPLE: 1 } }, 'byColor["PURPLE"]: expected enum t.Color, got "PURPLE"'],
    [{ byColor: { RED: "x" } }, 'byColor["RED"]: expected double, got "x"'],
    [{ byBool: { yes: 1 } }, 'byBool["yes"]: expected bool, got "yes"'],
    [{ byDouble: { "1.": true } }, 'byDouble["1."]: expected double, got "1."'],
    [{ byPoint: { a: "b" } }, 'byPoint["a"]: expected struct t.Point key as JSON text, got "a"'],
    [{ byPoint: { '{"x":1,"y":"2"}': "b" } }, 'byPoint["{\\"x\\":1,\\"y\\":\\"2\\"}"].y: expected i32, got "2"'],
    [{ byPoint: [[{ x: 1, y: 1.5 }, "s"]] }, "byPoint[0][0].y: expected i32, got 1.5"],
    [{ byList: [[[1, "2"], "s"]] }, 'byList[0][0][1]: expected i32, got "2"'],
    [{ deep: [{ "1": [1, "x"] }] }, 'deep[0][1][1]: expected i64, got "x"'],
    [{ choice: [] }, "choice: expected union t.Choice, got []"],
    [{ oops: "x" }, 'oops: expected exception t.Oops, got "x"'],
  ])("%o -> %s", (json, message) => {
    const error = expectCodecError(fromJson("Everything", json), INVALID, message);
    expect(error.path).toBe(message.slice(0, message.indexOf(": ")));
  });

  it("unknown field names", () => {
    expectCodecError(fromJson("Point", { x: 1, y: 2, z: 3 }), INVALID, 'unknown field "z"');
    expectCodecError(fromJson("Everything", { choice: { zzz: 1 } }), INVALID, 'choice: unknown field "zzz"');
    expectCodecError(
      fromJson("Point", JSON.parse('{"x": 1, "y": 2, "__proto__": 3}')),
      INVALID,
      'unknown field "__proto__"',
    );
    expectCodecError(fromJson("Point", { x: 1, y: 2, constructor: 1 }), INVALID, 'unknown field "constructor"');
  });

  it("unions need exactly one field", () => {
    expectCodecError(
      fromJson("Choice", { text: "a", number: 1 }),
      "CODEC_UNION",
      "a union must have exactly one field set, got 2",
    );
    expectCodecError(fromJson("Choice", {}), "CODEC_UNION", "a union must have exactly one field set, got 0");
    expectCodecError(
      fromJson("Choice", { text: null }),
      "CODEC_UNION",
      "a union must have exactly one field set, got 0",
    );
    expectCodecError(
      fromJson("Everything", { choice: { text: "a", point: { x: 1, y: 1 } } }),
      "CODEC_UNION",
      "choice: a union must have exactly one field set, got 2",
    );
  });

  it("missing required fields (without a default) are reported with their path", () => {
    expectCodecError(fromJson("Job", {}), "CODEC_MISSING_REQUIRED", "owner: missing required field");
    expectCodecError(fromJson("Job", { owner: null }), "CODEC_MISSING_REQUIRED", "owner: missing required field");
    expectCodecError(
      fromJson("Ledger", { job: { priority: 1 } }),
      "CODEC_MISSING_REQUIRED",
      "job.owner: missing required field",
    );
    expectCodecError(
      fromJson("Ledger", { jobs: { "5": {} } }),
      "CODEC_MISSING_REQUIRED",
      "jobs[5].owner: missing required field",
    );
  });

  it("the CLI's example paths", () => {
    expectCodecError(
      fromJson("Ledger", { ledger: { a: [{ micros: 1 }, { micros: "x" }] } }),
      INVALID,
      'ledger["a"][1].micros: expected i64, got "x"',
    );
  });

  it("a struct that is not an object", () => {
    expectCodecError(fromJson("Point", [1, 2]), INVALID, "expected struct t.Point, got [1,2]");
    expectCodecError(fromJson("Point", null), INVALID, "expected struct t.Point, got null");
    expectCodecError(fromJson("Point", "x"), INVALID, 'expected struct t.Point, got "x"');
  });

  it("absurdly deep input fails cleanly", () => {
    let json: unknown = { name: "leaf" };
    for (let i = 0; i < 5000; i++) json = { name: String(i), children: [json] };
    const error = codecErrorOf(fromJson("Tree", json));
    expect(error.code).toBe("CODEC_DEPTH_EXCEEDED");
    expect(error.detail).toBe("value nests deeper than 1000 levels (is it cyclic?)");
    expect(error.path).toMatch(/^children\[0\]\.children/);
  });

  it("bare values report paths relative to the value", () => {
    expectCodecError(
      () => valueFromJson(index, T.list(T.map(T.string, T.i8)), [{}, { k: 300 }]),
      INVALID,
      '[1]["k"]: expected i8, got 300',
    );
    expectCodecError(() => valueFromJson(index, T.i32, undefined), INVALID, "expected i32, got undefined");
  });
});

describe("structToJson errors", () => {
  it("validates runtime values with the encoder's paths", () => {
    const toJson = (value: unknown) => () => structToJson(index, def("Everything"), value);
    expectCodecError(toJson({ big: 5 }), INVALID, "big: expected i64, got 5");
    expectCodecError(toJson({ ints: [1, "x"] }), INVALID, 'ints[1]: expected i32, got "x"');
    expectCodecError(toJson({ points: new Map([[1, { x: 1, y: 1 }]]) }), INVALID, "points[1]: expected string, got 1");
    expectCodecError(
      toJson({ points: new Map([["p", { x: 1, y: 1n }]]) }),
      INVALID,
      'points["p"].y: expected i32, got 1n',
    );
    expectCodecError(toJson({ bin: "AQ==" }), INVALID, 'bin: expected binary, got "AQ=="');
    expectCodecError(toJson({ tags: ["a"] }), INVALID, 'tags: expected set<string>, got ["a"]');
    expectCodecError(toJson({ byColor: new Map([[1.5, 1]]) }), INVALID, "byColor[1.5]: expected enum t.Color, got 1.5");
    expectCodecError(() => valueToJson(index, T.struct("Point"), 3), INVALID, "expected struct t.Point, got 3");
  });

  it("is lenient about requiredness and union counts: it shows what the value holds", () => {
    expect(structToJson(index, def("Job"), {})).toEqual({});
    expect(structToJson(index, def("Choice"), { text: "a", number: 1 })).toEqual({ text: "a", number: 1 });
  });

  it("cyclic values fail cleanly", () => {
    const tree: Record<string, unknown> = { name: "loop" };
    tree.children = [tree];
    expect(() => structToJson(index, def("Tree"), tree)).toThrow(/nests deeper than 1000 levels/);
  });
});
