import { describe, expect, it } from "vitest";
import type { GeneratorErrorCode } from "../../../src/errors.ts";
import type { ConstValue } from "../../../src/model/schema.ts";
import { expectSourceError, loadSource } from "./idl-test-helpers.ts";

const PRELUDE = [
  "enum Color { RED = 1, GREEN, BLUE = 7 }",
  "enum Other { X }",
  "struct Point { 1: double x, 2: double y }",
  "struct Box { 1: Point min, 2: optional list<Point> corners, 3: Color color }",
  "union Choice { 1: i32 number, 2: string text }",
  "typedef i32 Int",
].join("\n");
const PRELUDE_LINES = PRELUDE.split("\n").length;

/** The value of `const <type> X = <literal>` after the prelude. */
async function valueOf(type: string, literal: string): Promise<ConstValue> {
  const { main } = await loadSource(`${PRELUDE}\nconst ${type} X = ${literal}`);
  const constant = main.consts.find((c) => c.name === "X");
  if (constant === undefined) throw new Error("no X");
  return constant.value;
}

/** Expects `const <type> X = <literal>` to fail at the literal's start plus `offset` columns. */
function expectValueError(
  type: string,
  literal: string,
  code: GeneratorErrorCode,
  detail: string | RegExp,
  offset = 0,
): Promise<unknown> {
  const column = `const ${type} X = `.length + 1 + offset;
  return expectSourceError(
    `${PRELUDE}\nconst ${type} X = ${literal}`,
    code,
    `main.thrift:${PRELUDE_LINES + 1}:${column}`,
    detail,
  );
}

const int = (value: bigint): ConstValue => ({ kind: "int", value });
const str = (value: string): ConstValue => ({ kind: "string", value });
const dbl = (value: number): ConstValue => ({ kind: "double", value });

describe("constant values", () => {
  it("resolves bools, including Apache's 0 and 1", async () => {
    expect(await valueOf("bool", "true")).toEqual({ kind: "bool", value: true });
    expect(await valueOf("bool", "false")).toEqual({ kind: "bool", value: false });
    expect(await valueOf("bool", "1")).toEqual({ kind: "bool", value: true });
    expect(await valueOf("bool", "0")).toEqual({ kind: "bool", value: false });
    await expectValueError("bool", "2", "GEN_INVALID", "expected bool, found integer 2");
    await expectValueError("bool", '"yes"', "GEN_INVALID", "expected bool, found a string");
  });

  it("resolves integers in every notation and checks ranges", async () => {
    expect(await valueOf("i8", "-128")).toEqual(int(-128n));
    expect(await valueOf("byte", "127")).toEqual(int(127n));
    expect(await valueOf("i16", "-32768")).toEqual(int(-32768n));
    expect(await valueOf("i32", "0x7fffffff")).toEqual(int(2147483647n));
    expect(await valueOf("i32", "-0x10")).toEqual(int(-16n));
    expect(await valueOf("i32", "+5")).toEqual(int(5n));
    expect(await valueOf("i32", "007")).toEqual(int(7n));
    expect(await valueOf("i64", "-9223372036854775808")).toEqual(int(-9223372036854775808n));
    expect(await valueOf("i64", "0x7FFFFFFFFFFFFFFF")).toEqual(int(9223372036854775807n));
    expect(await valueOf("Int", "3")).toEqual(int(3n));
    expect(await valueOf("i32", "true")).toEqual(int(1n));
    await expectValueError("i8", "128", "GEN_INVALID", "integer 128 is out of range for i8");
    await expectValueError("byte", "-129", "GEN_INVALID", "integer -129 is out of range for i8");
    await expectValueError("i16", "32768", "GEN_INVALID", "integer 32768 is out of range for i16");
    await expectValueError("i32", "0x80000000", "GEN_INVALID", "integer 2147483648 is out of range for i32");
    await expectValueError("Int", "-2147483649", "GEN_INVALID", "out of range for i32");
    await expectValueError(
      "i64",
      "9223372036854775808",
      "GEN_INVALID",
      "integer literal 9223372036854775808 does not fit in 64 bits",
    );
    await expectValueError("i32", "1.5", "GEN_INVALID", "expected i32, found double 1.5");
    await expectValueError("i64", "1e3", "GEN_INVALID", "expected i64, found double 1000");
    await expectValueError("i32", '"1"', "GEN_INVALID", "expected i32, found a string");
  });

  it("resolves doubles, accepting integer literals", async () => {
    expect(await valueOf("double", "1.5")).toEqual(dbl(1.5));
    expect(await valueOf("double", "-2.5e3")).toEqual(dbl(-2500));
    expect(await valueOf("double", "1E-3")).toEqual(dbl(0.001));
    expect(await valueOf("double", ".5")).toEqual(dbl(0.5));
    expect(await valueOf("double", "42")).toEqual(dbl(42));
    expect(await valueOf("double", "-0x10")).toEqual(dbl(-16));
    await expectValueError("double", "1e400", "GEN_INVALID", "double literal 1e400 is out of range");
    await expectValueError("double", '"x"', "GEN_INVALID", "expected double, found a string");
  });

  it("resolves strings and binaries from string literals", async () => {
    expect(await valueOf("string", '"a\\tb"')).toEqual(str("a\tb"));
    expect(await valueOf("binary", "'bytes'")).toEqual(str("bytes"));
    await expectValueError("string", "1", "GEN_INVALID", "expected string, found integer 1");
    await expectValueError("binary", "[]", "GEN_INVALID", "expected binary, found a list");
  });

  it("resolves lists, sets and maps, checking every element where it is written", async () => {
    expect(await valueOf("list<i32>", "[1, 2; 3,]")).toEqual({ kind: "list", elements: [int(1n), int(2n), int(3n)] });
    expect(await valueOf("set<string>", '["a"]')).toEqual({ kind: "list", elements: [str("a")] });
    expect(await valueOf("set<i32>", "{}")).toEqual({ kind: "list", elements: [] });
    expect(await valueOf("map<string, list<double>>", '{"a": [1, 2.5], "b": []}')).toEqual({
      kind: "map",
      entries: [
        [str("a"), { kind: "list", elements: [dbl(1), dbl(2.5)] }],
        [str("b"), { kind: "list", elements: [] }],
      ],
    });
    expect(await valueOf("map<i32, i32>", "[]")).toEqual({ kind: "map", entries: [] });
    expect(await valueOf("map<Color, bool>", "{Color.RED: true, 7: 0}")).toEqual({
      kind: "map",
      entries: [
        [int(1n), { kind: "bool", value: true }],
        [int(7n), { kind: "bool", value: false }],
      ],
    });
    await expectValueError("list<i8>", "[1, 300]", "GEN_INVALID", "integer 300 is out of range for i8", 4);
    await expectValueError("map<string, i32>", '{"a": 1, 2: 3}', "GEN_INVALID", "expected string, found integer 2", 9);
    await expectValueError("map<string, i32>", '{"a": "b"}', "GEN_INVALID", "expected i32, found a string", 6);
    await expectValueError("list<i32>", "{1: 2}", "GEN_INVALID", "expected list<i32>, found a map");
    await expectValueError("map<i32, i32>", "[1]", "GEN_INVALID", "expected map<i32, i32>, found a list");
    await expectValueError("i32", "[1]", "GEN_INVALID", "expected i32, found a list");
  });

  it("resolves struct and union literals written as maps keyed by field name", async () => {
    expect(await valueOf("Box", '{"min": {"x": 1, "y": 2.5}, "color": Color.BLUE, "corners": []}')).toEqual({
      kind: "map",
      entries: [
        [
          str("min"),
          {
            kind: "map",
            entries: [
              [str("x"), dbl(1)],
              [str("y"), dbl(2.5)],
            ],
          },
        ],
        [str("color"), int(7n)],
        [str("corners"), { kind: "list", elements: [] }],
      ],
    });
    expect(await valueOf("Choice", '{"text": "hi"}')).toEqual({ kind: "map", entries: [[str("text"), str("hi")]] });
    expect(await valueOf("Point", "{}")).toEqual({ kind: "map", entries: [] });
    await expectValueError(
      "Point",
      '{"x": 1, "z": 2}',
      "GEN_UNRESOLVED",
      'struct main.Point has no field named "z"',
      9,
    );
    await expectValueError(
      "Point",
      '{"x": 1, "x": 2}',
      "GEN_DUPLICATE",
      'field "x" is given twice in a main.Point literal',
      9,
    );
    await expectValueError("Point", "{1: 2}", "GEN_INVALID", "expected string, found integer 1", 1);
    await expectValueError("Box", '{"min": {"x": "no"}}', "GEN_INVALID", "expected double, found a string", 14);
    await expectValueError("Point", "[1]", "GEN_INVALID", "expected struct main.Point, found a list");
  });

  it("resolves enum values written qualified, or as member integers", async () => {
    expect(await valueOf("Color", "Color.GREEN")).toEqual(int(2n));
    expect(await valueOf("Color", "7")).toEqual(int(7n));
    expect(await valueOf("i32", "Color.BLUE")).toEqual(int(7n));
    expect(await valueOf("double", "Color.BLUE")).toEqual(dbl(7));
    await expectValueError("Color", "3", "GEN_INVALID", "3 is not a value of enum main.Color");
    await expectValueError(
      "Color",
      "Other.X",
      "GEN_INVALID",
      "Other.X is a value of enum main.Other, not of main.Color",
    );
    await expectValueError("Color", "Color.PURPLE", "GEN_UNRESOLVED", 'enum main.Color has no value "PURPLE"');
    await expectValueError(
      "Color",
      "RED",
      "GEN_UNRESOLVED",
      'unknown constant "RED" (enum values must be qualified: Color.RED)',
    );
    await expectValueError("Color", '"RED"', "GEN_INVALID", "expected enum main.Color, found a string");
  });

  it("resolves references to other constants, in any order and across includes", async () => {
    const { main } = await loadSource(
      [
        'include "inc.thrift"',
        "const i64 WIDE = NARROW",
        "const i32 NARROW = 5",
        "const double AS_DOUBLE = NARROW",
        "const list<i64> LIST = [NARROW, inc.BASE, inc.Shade.DARK]",
        "const inc.Shade SHADE = inc.Shade.DARK",
        "const inc.Pair PAIR = inc.ORIGIN",
        "const map<string, inc.Pair> PAIRS = {inc.NAME: inc.ORIGIN}",
        "const set<i32> COPY = inc.LIST",
        "struct S { 1: i64 n = inc.BASE, 2: inc.Shade s = inc.Shade.LIGHT, 3: string name = inc.NAME }",
      ].join("\n"),
      {
        "inc.thrift": [
          "enum Shade { LIGHT = 1, DARK = 2 }",
          "const i32 BASE = 100",
          'const string NAME = "n"',
          "struct Pair { 1: i32 a, 2: i32 b }",
          'const Pair ORIGIN = {"a": 0, "b": BASE}',
          "const list<i32> LIST = [BASE]",
        ].join("\n"),
      },
    );
    const values = Object.fromEntries(main.consts.map((c) => [c.name, c.value]));
    const origin: ConstValue = {
      kind: "map",
      entries: [
        [str("a"), int(0n)],
        [str("b"), int(100n)],
      ],
    };
    expect(values).toEqual({
      WIDE: int(5n),
      NARROW: int(5n),
      AS_DOUBLE: dbl(5),
      LIST: { kind: "list", elements: [int(5n), int(100n), int(2n)] },
      SHADE: int(2n),
      PAIR: origin,
      PAIRS: { kind: "map", entries: [[str("n"), origin]] },
      COPY: { kind: "list", elements: [int(100n)] },
    });
    expect(main.structs[0]?.fields.map((f) => f.default)).toEqual([int(100n), int(1n), str("n")]);
  });

  it("checks referenced values against the referencing type", async () => {
    await expectSourceError(
      "const i64 BIG = 3000000000\nconst i32 SMALL = BIG",
      "GEN_INVALID",
      "main.thrift:2:19",
      "integer 3000000000 is out of range for i32",
    );
    await expectSourceError(
      'const string S = "x"\nconst i32 N = S',
      "GEN_INVALID",
      "main.thrift:2:15",
      "expected i32, found a string",
    );
    await expectSourceError("const list<i32> L = [1]\nconst list<string> M = L", "GEN_INVALID", "main.thrift:2:24");
  });

  it("rejects unknown, non-constant and circular references", async () => {
    await expectSourceError("const i32 A = B", "GEN_UNRESOLVED", "main.thrift:1:15", 'unknown constant "B"');
    await expectSourceError("const i32 A = inc.B", "GEN_UNRESOLVED", "main.thrift:1:15", 'unknown constant "inc.B"');
    await expectSourceError(
      "struct T {}\nconst i32 A = T",
      "GEN_INVALID",
      "main.thrift:2:15",
      '"T" is a struct, not a constant',
    );
    await expectSourceError(
      "const i32 A = B\nconst i32 B = A",
      "GEN_INVALID",
      "main.thrift:2:15",
      "constant main.A refers to itself",
    );
    await expectSourceError(
      "const list<i32> A = [1, A]",
      "GEN_INVALID",
      "main.thrift:1:25",
      "constant main.A refers to itself",
    );
  });

  it("keeps the declared type, doc comment and location of each constant", async () => {
    const { main } = await loadSource("typedef i32 Int\n/** The answer. */\nconst Int ANSWER = 42");
    expect(main.consts).toEqual([
      {
        name: "ANSWER",
        qualifiedName: "main.ANSWER",
        type: { kind: "i32", typedef: "main.Int" },
        value: int(42n),
        doc: "The answer.",
        location: { file: "main.thrift", line: 3, column: 11 },
      },
    ]);
  });
});
