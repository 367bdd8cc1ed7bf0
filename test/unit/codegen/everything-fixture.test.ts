import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { loadSchema } from "../../../src/codegen/load-schema.ts";
import type { GeneratorWarning } from "../../../src/codegen/warnings.ts";
import type { ConstValue, FieldDef, Schema, SchemaDocument, StructDef } from "../../../src/model/schema.ts";

const FILE = "test/fixtures/idl/everything.thrift";
const SHARED = "test/fixtures/idl/shared";

let schema: Schema;
let everything: SchemaDocument;
const warnings: GeneratorWarning[] = [];

beforeAll(async () => {
  schema = await loadSchema([FILE], { includeDirs: [SHARED], onWarning: (w) => warnings.push(w) });
  const document = schema.documents.get("everything");
  if (document === undefined) throw new Error("no everything document");
  everything = document;
});

const int = (value: bigint): ConstValue => ({ kind: "int", value });
const dbl = (value: number): ConstValue => ({ kind: "double", value });
const str = (value: string): ConstValue => ({ kind: "string", value });
const list = (...elements: ConstValue[]): ConstValue => ({ kind: "list", elements });
const map = (...entries: [ConstValue, ConstValue][]): ConstValue => ({ kind: "map", entries });
const point = (x: number, y: number): ConstValue => map([str("x"), dbl(x)], [str("y"), dbl(y)]);

function struct(name: string): StructDef {
  const def = everything.structs.find((s) => s.name === name);
  if (def === undefined) throw new Error(`no struct ${name}`);
  return def;
}

function fieldsOf(name: string): Record<string, Omit<FieldDef, "name">> {
  return Object.fromEntries(struct(name).fields.map(({ name: fieldName, ...rest }) => [fieldName, rest]));
}

describe("everything.thrift", () => {
  it("loads the root and both shared files once each, in load order", () => {
    expect(schema.roots).toEqual(["everything"]);
    expect([...schema.documents.values()].map((d) => [d.module, d.path, d.includes])).toEqual([
      ["everything", FILE, ["common", "units"]],
      ["common", `${SHARED}/common.thrift`, []],
      ["units", `${SHARED}/units.thrift`, ["common"]],
    ]);
  });

  it("keeps namespaces", () => {
    expect(everything.namespaces).toEqual({
      "*": "everything",
      py: "thrift_queue.everything",
      java: "com.example.everything",
    });
    expect(schema.documents.get("common")?.namespaces).toEqual({ "*": "common", py: "thrift_queue.common" });
  });

  it("warns about the implicit field ids only", () => {
    expect(warnings.map((w) => `${w.location.line}:${w.location.column} ${w.detail}`)).toEqual([
      "152:3 no field id given for everything.WithImplicitIds.first; assigned -1 as Apache Thrift does, which is fragile across versions",
      "154:3 no field id given for everything.WithImplicitIds.third; assigned -2 as Apache Thrift does, which is fragile across versions",
    ]);
  });

  it("resolves typedefs, recording typedefs of typedefs and included targets", () => {
    expect(everything.typedefs.map((t) => [t.qualifiedName, t.type, t.annotations, t.doc])).toEqual([
      ["everything.Count", { kind: "i32" }, {}, "A count of things."],
      ["everything.Amount", { kind: "i32", typedef: "everything.Count" }, {}, undefined],
      ["everything.EntityId", { kind: "i64", typedef: "common.Id" }, {}, undefined],
      ["everything.Location", { kind: "struct", name: "common.Point" }, {}, undefined],
      [
        "everything.Nested",
        {
          kind: "list",
          element: { kind: "map", key: { kind: "string" }, value: { kind: "set", element: { kind: "i32" } } },
        },
        {},
        undefined,
      ],
      ["everything.Blob", { kind: "binary" }, { note: "raw bytes" }, undefined],
      ["everything.Tiny", { kind: "i8" }, {}, undefined],
      ["everything.Annotated32", { kind: "i32" }, {}, undefined],
    ]);
    expect(everything.typedefs[0]?.location).toEqual({ file: FILE, line: 18, column: 13 });
  });

  it("resolves enums with explicit, implicit, hex and negative values", () => {
    expect(everything.enums.map((e) => [e.name, e.values.map((v) => [v.name, v.value])])).toEqual([
      [
        "Weekday",
        [
          ["MONDAY", 1],
          ["TUESDAY", 2],
          ["WEDNESDAY", 10],
          ["THURSDAY", 11],
          ["FRIDAY", 32],
        ],
      ],
      [
        "Signed",
        [
          ["MINUS_TWO", -2],
          ["MINUS_ONE", -1],
          ["ZERO", 0],
          ["MAX", 2147483647],
        ],
      ],
      [
        "Implicit",
        [
          ["FIRST", 0],
          ["SECOND", 1],
          ["THIRD", 2],
        ],
      ],
    ]);
    const weekday = everything.enums[0];
    expect(weekday?.doc).toBe("Days of the week (some of them).");
    expect(weekday?.annotations).toEqual({ "enum.note": "days" });
    expect(weekday?.values[2]).toEqual({
      name: "WEDNESDAY",
      value: 10,
      annotations: { label: "mid" },
      doc: "Mid-week.",
    });
  });

  it("resolves every constant against its declared type", () => {
    const values = Object.fromEntries(everything.consts.map((c) => [c.name, c.value]));
    expect(values).toEqual({
      FLAG_TRUE: { kind: "bool", value: true },
      FLAG_FALSE: { kind: "bool", value: false },
      FLAG_FROM_INT: { kind: "bool", value: true },
      TINY_MIN: int(-128n),
      SMALL_MAX: int(127n),
      SHORT_MIN: int(-32768n),
      HEX_MAX: int(2147483647n),
      NEGATIVE: int(-42n),
      BIG: int(9223372036854775807n),
      BIG_MIN: int(-9223372036854775808n),
      PI: dbl(3.14159),
      AVOGADRO: dbl(6.02214076e23),
      SMALL_EXP: dbl(0.0015),
      NEG_DOUBLE: dbl(-0.5),
      FROM_INT: dbl(42),
      GREETING: str('hello "world"\n\ttab \\ backslash'),
      SINGLE_QUOTED: str("it's"),
      BYTES: str("raw bytes"),
      PRIMES: list(int(2n), int(3n), int(5n), int(7n)),
      TAGS: list(str("alpha"), str("beta")),
      SCORES: map([str("alice"), int(1n)], [str("bob"), int(2n)]),
      DAY_NAMES: map([int(1n), str("mon")], [int(32n), str("fri")]),
      FAVORITE_DAY: int(32n),
      SHARED_COLOR: int(3n),
      ENUM_AS_INT: int(2n),
      REFERENCE: int(2147483647n),
      AMOUNT: int(100n),
      SHARED_NAME: str("anonymous"),
      ONE_KM: int(1000n),
      ORIGIN: point(0, 0.5),
      HOME: point(3, 4),
      PATH: list(point(1, 2), point(-1.5, 2000)),
      NESTED: list(map([str("k"), list(int(1n), int(2n))]), map()),
      DEEP: map([int(1n), map([str("a"), list(dbl(1), dbl(2))])], [int(-2n), map()]),
      LENGTH: map([str("value"), dbl(2.5)], [str("unit"), int(1n)], [str("at"), point(0, 0)]),
      SCHEDULE: list(list(int(1n)), list()),
      SAMPLE: map(
        [str("id"), int(7n)],
        [str("amount"), int(3n)],
        [str("location"), point(1, 2)],
        [str("shape"), map([str("radius"), dbl(2.5)])],
        [str("color"), int(2n)],
      ),
      TREE: map([str("name"), str("root")], [str("children"), list(map([str("name"), str("leaf")]))]),
      CIRCLE: map([str("radius"), dbl(2)]),
    });
    const types = Object.fromEntries(everything.consts.map((c) => [c.name, c.type]));
    expect(types.TINY_MIN).toEqual({ kind: "i8" });
    expect(types.AMOUNT).toEqual({ kind: "i32", typedef: "everything.Amount" });
    expect(types.SHARED_COLOR).toEqual({ kind: "enum", name: "common.Color" });
    expect(types.HOME).toEqual({ kind: "struct", name: "common.Point", typedef: "everything.Location" });
    expect(types.LENGTH).toEqual({ kind: "struct", name: "units.Measurement" });
    expect(everything.consts.find((c) => c.name === "GREETING")?.doc).toBe("A string with escapes.");
  });

  it("resolves a struct with every base type", () => {
    expect(struct("AllTypes").fields.map((f) => [f.id, f.name, f.type.kind, f.requiredness])).toEqual([
      [1, "flag", "bool", "default"],
      [2, "tiny", "i8", "default"],
      [3, "small", "i8", "default"],
      [4, "short_value", "i16", "default"],
      [5, "normal", "i32", "default"],
      [6, "big", "i64", "default"],
      [7, "ratio", "double", "default"],
      [8, "text", "string", "default"],
      [9, "data", "binary", "default"],
    ]);
    expect(struct("AllTypes").doc).toBe("Every base type.");
  });

  it("resolves requiredness and default values of every kind", () => {
    const fields = fieldsOf("Defaults");
    expect(Object.fromEntries(Object.entries(fields).map(([name, f]) => [name, [f.requiredness, f.default]]))).toEqual({
      must: ["required", int(1n)],
      maybe: ["optional", str("x")],
      plain: ["default", int(9223372036854775807n)],
      ratio: ["default", dbl(1)],
      day: ["default", int(10n)],
      primes: ["default", list(int(2n), int(3n), int(5n), int(7n))],
      letters: ["default", map([str("z"), int(26n)])],
      point: ["default", point(1, 2)],
      enabled: ["default", { kind: "bool", value: false }],
      blob: ["default", str("bytes")],
      days: ["default", list(int(1n), int(32n))],
      color: ["default", int(1n)],
      length: ["default", map([str("value"), dbl(1)])],
      tiny: ["default", int(-1n)],
    });
    expect(fields.must?.doc).toBe("Must be set.");
    expect(fields.blob?.type).toEqual({ kind: "binary", typedef: "everything.Blob" });
    expect(fields.length?.type).toEqual({ kind: "struct", name: "units.Measurement" });
  });

  it("resolves nested containers", () => {
    const fields = fieldsOf("Containers");
    expect(fields.by_day?.type).toEqual({
      kind: "map",
      key: { kind: "enum", name: "everything.Weekday" },
      value: { kind: "list", element: { kind: "struct", name: "common.Point" } },
    });
    expect(fields.deeper?.type).toEqual({
      kind: "map",
      key: { kind: "i32" },
      value: {
        kind: "map",
        key: { kind: "i64" },
        value: { kind: "list", element: { kind: "set", element: { kind: "string" } } },
      },
    });
    expect(fields.nested?.type.typedef).toBe("everything.Nested");
  });

  it("resolves recursive and forward-referencing structs", () => {
    expect(fieldsOf("TreeNode").children?.type).toEqual({
      kind: "list",
      element: { kind: "struct", name: "everything.TreeNode" },
    });
    expect(fieldsOf("Ping").pong?.type).toEqual({ kind: "struct", name: "everything.Pong" });
    expect(fieldsOf("Pong").ping?.type).toEqual({ kind: "struct", name: "everything.Ping" });
    expect(struct("WithImplicitIds").fields.map((f) => [f.name, f.id])).toEqual([
      ["first", -1],
      ["second", 2],
      ["third", -2],
    ]);
  });

  it('keeps annotations on structs and fields (bare keys get "1")', () => {
    expect(struct("Annotated").annotations).toEqual({ "struct.note": "s", final: "1" });
    expect(fieldsOf("Annotated").typed?.annotations).toEqual({ "field.note": "f", deprecated: "1" });
    expect(fieldsOf("Annotated").aliased?.type).toEqual({ kind: "i32", typedef: "everything.Annotated32" });
  });

  it("resolves unions and exceptions", () => {
    expect(struct("Shape")).toMatchObject({ kind: "union", doc: "One of several shapes." });
    expect(struct("Shape").fields.map((f) => [f.name, f.requiredness, f.default])).toEqual([
      ["point", "optional", undefined],
      ["radius", "optional", dbl(1)],
      ["polygon", "optional", undefined],
    ]);
    expect(struct("NotFound").kind).toBe("exception");
    expect(struct("Invalid").annotations).toEqual({ code: "400" });
    expect(fieldsOf("Record").id?.type).toEqual({ kind: "i64", typedef: "everything.EntityId" });
    expect(fieldsOf("Record").location?.type).toEqual({
      kind: "struct",
      name: "common.Point",
      typedef: "everything.Location",
    });
  });

  it("resolves services, extends across includes, methods, arguments and exceptions", () => {
    const [inventory, admin] = everything.services;
    expect(inventory).toMatchObject({
      qualifiedName: "everything.Inventory",
      extends: "common.BaseService",
      annotations: { "service.note": "inv" },
      doc: "Stores records.",
      location: { file: FILE, line: 203, column: 9 },
    });
    expect(admin).toMatchObject({ qualifiedName: "everything.Admin", extends: "everything.Inventory" });
    expect(inventory?.methods.map((m) => [m.name, m.oneway, m.returnType?.kind ?? "void", m.doc])).toEqual([
      ["get", false, "struct", "Looks up a record."],
      ["put", false, "void", undefined],
      ["touch", true, "void", "Fire and forget."],
      ["search", false, "list", undefined],
      ["groups", false, "map", undefined],
      ["count", false, "i32", undefined],
      ["blob", false, "binary", undefined],
      ["locate", false, "struct", undefined],
      ["nothing", false, "void", undefined],
    ]);
    const get = inventory?.methods[0];
    expect(get?.args).toEqual([
      {
        id: 1,
        name: "id",
        type: { kind: "i64", typedef: "everything.EntityId" },
        requiredness: "required",
        annotations: {},
      },
      {
        id: 2,
        name: "include_deleted",
        type: { kind: "bool" },
        requiredness: "optional",
        default: { kind: "bool", value: false },
        annotations: {},
      },
    ]);
    expect(get?.throws.map((f) => [f.id, f.name, f.type])).toEqual([
      [1, "not_found", { kind: "struct", name: "everything.NotFound" }],
      [2, "invalid", { kind: "struct", name: "everything.Invalid" }],
    ]);
    expect(inventory?.methods[1]?.throws[1]?.type).toEqual({ kind: "struct", name: "common.ServiceError" });
    expect(inventory?.methods[5]).toMatchObject({
      returnType: { kind: "i32", typedef: "everything.Amount" },
      annotations: { idempotent: "true" },
    });
    expect(admin?.methods.map((m) => [m.name, m.oneway])).toEqual([
      ["reset", false],
      ["shutdown", true],
    ]);
  });

  it("resolves the shared documents", () => {
    const common = schema.documents.get("common");
    const units = schema.documents.get("units");
    expect(common?.services[0]?.methods.map((m) => m.name)).toEqual(["ping", "version"]);
    expect(common?.consts.map((c) => [c.qualifiedName, c.value])).toEqual([
      ["common.DEFAULT_NAME", str("anonymous")],
      ["common.UNIT_POINT", point(1, 1)],
    ]);
    expect(units?.structs[0]?.fields.map((f) => [f.name, f.type, f.default])).toEqual([
      ["value", { kind: "double" }, undefined],
      ["unit", { kind: "enum", name: "units.Unit" }, int(0n)],
      ["at", { kind: "struct", name: "common.Point" }, undefined],
    ]);
    expect(units?.consts.map((c) => c.name)).toEqual(["ONE_METER", "UNIT_COLOR", "METERS_PER_KM"]);
  });
});

describe.skipIf(!hasApacheThrift())("everything.thrift with Apache Thrift", () => {
  it("is accepted by the Apache compiler", () => {
    const out = mkdtempSync(join(tmpdir(), "everything-"));
    try {
      execFileSync("thrift", ["-I", SHARED, "--gen", "py", "-o", out, FILE], { stdio: "ignore", timeout: 20_000 });
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});

function hasApacheThrift(): boolean {
  try {
    execFileSync("thrift", ["-version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}
