import { describe, expect, it } from "vitest";
import { expectSourceError, loadSource } from "./idl-test-helpers.ts";

describe("structs, unions and exceptions", () => {
  it("resolves fields with ids, requiredness, defaults, annotations and docs", async () => {
    const { main } = await loadSource(
      [
        "/** A point. */",
        "struct Point {",
        "  /** Horizontal. */",
        '  1: required double x = 1 (unit = "m", exact)',
        "  2: optional double y,",
        "  // not a doc comment",
        "  3: double z;",
        '} (final, note = "n")',
      ].join("\n"),
    );
    expect(main.structs).toEqual([
      {
        kind: "struct",
        name: "Point",
        qualifiedName: "main.Point",
        fields: [
          {
            id: 1,
            name: "x",
            type: { kind: "double" },
            requiredness: "required",
            default: { kind: "double", value: 1 },
            annotations: { unit: "m", exact: "1" },
            doc: "Horizontal.",
          },
          { id: 2, name: "y", type: { kind: "double" }, requiredness: "optional", annotations: {} },
          { id: 3, name: "z", type: { kind: "double" }, requiredness: "default", annotations: {} },
        ],
        annotations: { final: "1", note: "n" },
        doc: "A point.",
        location: { file: "main.thrift", line: 2, column: 8 },
      },
    ]);
  });

  it("distinguishes unions and exceptions; union fields are optional", async () => {
    const { main } = await loadSource(
      'union U { 1: i32 a, 2: optional string b = "x" }\nexception E { 1: string message }',
    );
    expect(main.structs.map((s) => [s.kind, s.qualifiedName, s.fields.map((f) => f.requiredness)])).toEqual([
      ["union", "main.U", ["optional", "optional"]],
      ["exception", "main.E", ["default"]],
    ]);
    expect(main.structs[0]?.fields[1]?.default).toEqual({ kind: "string", value: "x" });
  });

  it("assigns -1, -2, ... to fields without a positive id, with a warning, as Apache does", async () => {
    const { main, warnings } = await loadSource("struct S {\n  i32 a\n  2: i32 b\n  i32 c\n  0: i32 d\n  -5: i32 e\n}");
    expect(main.structs[0]?.fields.map((f) => [f.name, f.id])).toEqual([
      ["a", -1],
      ["b", 2],
      ["c", -2],
      ["d", -3],
      ["e", -4],
    ]);
    expect(warnings.map((w) => w.message)).toEqual([
      "main.thrift:2:3: no field id given for main.S.a; assigned -1 as Apache Thrift does, which is fragile across versions",
      "main.thrift:4:3: no field id given for main.S.c; assigned -2 as Apache Thrift does, which is fragile across versions",
      "main.thrift:5:3: field id 0 of main.S.d is not positive; assigned -3 as Apache Thrift does, which is fragile across versions",
      "main.thrift:6:3: field id -5 of main.S.e is not positive; assigned -4 as Apache Thrift does, which is fragile across versions",
    ]);
  });

  it("rejects duplicate field ids and names, and ids beyond i16", async () => {
    await expectSourceError(
      "struct S {\n  1: i32 a\n  1: i32 b\n}",
      "GEN_DUPLICATE",
      "main.thrift:3:3",
      'field id 1 of "b" is already used by "a" in main.S',
    );
    await expectSourceError(
      "struct S {\n  1: i32 a\n  2: i64 a\n}",
      "GEN_DUPLICATE",
      "main.thrift:3:10",
      'main.S already has a field named "a"',
    );
    await expectSourceError(
      "struct S { 32768: i32 a }",
      "GEN_INVALID",
      "main.thrift:1:12",
      "field id 32768 of main.S.a is out of range (1..32767)",
    );
    await expectSourceError("exception E { 1: i32 a, 1: i32 b }", "GEN_DUPLICATE", "main.thrift:1:25");
  });

  it("rejects required union fields and more than one union default", async () => {
    await expectSourceError(
      "union U {\n  1: required i32 a\n}",
      "GEN_INVALID",
      "main.thrift:2:6",
      'field "a" of union main.U cannot be required (union fields are always optional)',
    );
    await expectSourceError(
      "union U { 1: i32 a = 1, 2: i32 b = 2 }",
      "GEN_INVALID",
      "main.thrift:1:36",
      "union main.U gives a default value to more than one field",
    );
  });

  it("checks default values against the field type", async () => {
    await expectSourceError(
      "struct S {\n  1: i16 a = 70000\n}",
      "GEN_INVALID",
      "main.thrift:2:14",
      "integer 70000 is out of range for i16",
    );
    await expectSourceError(
      "struct S { 1: list<string> a = [1] }",
      "GEN_INVALID",
      "main.thrift:1:33",
      "expected string, found integer 1",
    );
  });

  it("rejects dotted definition and field names", async () => {
    await expectSourceError(
      "struct a.b { 1: i32 x }",
      "GEN_INVALID",
      "main.thrift:1:8",
      'name "a.b" must be a plain identifier without dots',
    );
    await expectSourceError("struct S { 1: i32 x.y }", "GEN_INVALID", "main.thrift:1:19");
  });

  it("rejects duplicate definitions of any kind in one file", async () => {
    await expectSourceError(
      "struct S {}\nenum S { A }",
      "GEN_DUPLICATE",
      "main.thrift:2:6",
      '"S" is already defined at 1:8',
    );
    await expectSourceError("const i32 C = 1\nservice C {}", "GEN_DUPLICATE", "main.thrift:2:9");
    await expectSourceError("typedef i32 T\nunion T {}", "GEN_DUPLICATE", "main.thrift:2:7");
  });
});

describe("enums", () => {
  it("assigns implicit values (previous + 1, from 0) and keeps negative and hex values", async () => {
    const { main } = await loadSource(
      '/** Doc. */\nenum E {\n  A,\n  /** Bee. */\n  B = -5 (x = "y"),\n  C;\n  D = 0x10\n  E\n} (note)',
    );
    expect(main.enums).toEqual([
      {
        name: "E",
        qualifiedName: "main.E",
        values: [
          { name: "A", value: 0, annotations: {} },
          { name: "B", value: -5, annotations: { x: "y" }, doc: "Bee." },
          { name: "C", value: -4, annotations: {} },
          { name: "D", value: 16, annotations: {} },
          { name: "E", value: 17, annotations: {} },
        ],
        annotations: { note: "1" },
        doc: "Doc.",
        location: { file: "main.thrift", line: 2, column: 6 },
      },
    ]);
  });

  it("rejects duplicate names and values outside i32", async () => {
    await expectSourceError(
      "enum E {\n  A,\n  B,\n  A\n}",
      "GEN_DUPLICATE",
      "main.thrift:4:3",
      'enum main.E already has a value "A"',
    );
    await expectSourceError(
      "enum E { A = 2147483648 }",
      "GEN_INVALID",
      "main.thrift:1:14",
      "enum value A = 2147483648 does not fit in i32",
    );
    await expectSourceError("enum E { A = -2147483649 }", "GEN_INVALID", "main.thrift:1:14");
    await expectSourceError(
      "enum E { A = 2147483647, B }",
      "GEN_INVALID",
      "main.thrift:1:26",
      "enum value B = 2147483648 does not fit in i32",
    );
  });
});
