import { describe, expect, it } from "vitest";
import type { StructDef } from "../../../src/model/schema.ts";
import { expectSourceError, loadSource } from "./idl-test-helpers.ts";

function field(struct: StructDef | undefined, name: string) {
  const found = struct?.fields.find((f) => f.name === name);
  if (found === undefined) throw new Error(`no field ${name}`);
  return found;
}

describe("type resolution", () => {
  it("resolves every base type, normalizing byte to i8", async () => {
    const { main } = await loadSource(
      "struct S { 1: bool a, 2: byte b, 3: i8 c, 4: i16 d, 5: i32 e, 6: i64 f, 7: double g, 8: string h, 9: binary i }",
    );
    expect(main.structs[0]?.fields.map((f) => f.type)).toEqual(
      ["bool", "i8", "i8", "i16", "i32", "i64", "double", "string", "binary"].map((kind) => ({ kind })),
    );
  });

  it("resolves arbitrarily nested containers", async () => {
    const { main } = await loadSource("struct S { 1: list<map<string, set<list<E>>>> deep } enum E { A }");
    expect(main.structs[0]?.fields[0]?.type).toEqual({
      kind: "list",
      element: {
        kind: "map",
        key: { kind: "string" },
        value: { kind: "set", element: { kind: "list", element: { kind: "enum", name: "main.E" } } },
      },
    });
  });

  it("records the typedef used at each reference, looking through typedef chains", async () => {
    const { main } = await loadSource(
      [
        'include "inc.thrift"',
        "typedef i32 A",
        "typedef A B",
        "typedef list<B> Bs",
        "typedef inc.Id Id2",
        "struct S { 1: A a, 2: B b, 3: Bs bs, 4: Id2 id, 5: inc.Id raw, 6: map<B, Bs> m, 7: inc.P p }",
      ].join("\n"),
      { "inc.thrift": "typedef i64 Id\ntypedef Q P\nstruct Q {}" },
    );
    const typedefs = Object.fromEntries(main.typedefs.map((t) => [t.name, t.type]));
    expect(typedefs).toEqual({
      A: { kind: "i32" },
      B: { kind: "i32", typedef: "main.A" },
      Bs: { kind: "list", element: { kind: "i32", typedef: "main.B" } },
      Id2: { kind: "i64", typedef: "inc.Id" },
    });
    const s = main.structs[0];
    expect(field(s, "a").type).toEqual({ kind: "i32", typedef: "main.A" });
    expect(field(s, "b").type).toEqual({ kind: "i32", typedef: "main.B" });
    expect(field(s, "bs").type).toEqual({
      kind: "list",
      element: { kind: "i32", typedef: "main.B" },
      typedef: "main.Bs",
    });
    expect(field(s, "id").type).toEqual({ kind: "i64", typedef: "main.Id2" });
    expect(field(s, "raw").type).toEqual({ kind: "i64", typedef: "inc.Id" });
    expect(field(s, "m").type).toEqual({
      kind: "map",
      key: { kind: "i32", typedef: "main.B" },
      value: { kind: "list", element: { kind: "i32", typedef: "main.B" }, typedef: "main.Bs" },
    });
    expect(field(s, "p").type).toEqual({ kind: "struct", name: "inc.Q", typedef: "inc.P" });
  });

  it("allows forward references, self recursion and mutual recursion", async () => {
    const { main } = await loadSource(
      [
        "typedef Later L",
        "struct Tree { 1: optional list<Tree> children, 2: optional map<string, Tree> named }",
        "struct A { 1: optional B b }",
        "struct B { 1: optional A a, 2: L later }",
        "struct Later { 1: i32 x }",
      ].join("\n"),
    );
    expect(main.structs.map((s) => s.fields.map((f) => f.type))).toEqual([
      [
        { kind: "list", element: { kind: "struct", name: "main.Tree" } },
        { kind: "map", key: { kind: "string" }, value: { kind: "struct", name: "main.Tree" } },
      ],
      [{ kind: "struct", name: "main.B" }],
      [
        { kind: "struct", name: "main.A" },
        { kind: "struct", name: "main.Later", typedef: "main.L" },
      ],
      [{ kind: "i32" }],
    ]);
  });

  it("names unknown types", async () => {
    await expectSourceError(
      "struct S {\n  1: Missing m\n}",
      "GEN_UNRESOLVED",
      "main.thrift:2:6",
      'unknown type "Missing"',
    );
    await expectSourceError("struct S { 1: list<map<i32, Nope>> m }", "GEN_UNRESOLVED", "main.thrift:1:29");
    await expectSourceError(
      "struct S { 1: other.T t }",
      "GEN_UNRESOLVED",
      "main.thrift:1:15",
      'unknown type "other.T" (module "other" is not included)',
    );
    await expectSourceError(
      'include "inc.thrift"\nstruct S { 1: inc.Nope t }',
      "GEN_UNRESOLVED",
      "main.thrift:2:15",
      'unknown type "inc.Nope"',
      { "inc.thrift": "" },
    );
    await expectSourceError(
      "struct S { 1: uuid id }",
      "GEN_UNRESOLVED",
      "main.thrift:1:15",
      'unknown type "uuid" (the uuid type is not supported)',
    );
  });

  it("does not resolve a module's own name as a prefix, nor transitive includes (as Apache)", async () => {
    await expectSourceError("struct A {}\nstruct S { 1: main.A a }", "GEN_UNRESOLVED", "main.thrift:2:15");
    await expectSourceError(
      'include "a.thrift"\nstruct S { 1: b.B x }',
      "GEN_UNRESOLVED",
      "main.thrift:2:15",
      'module "b" is not included',
      { "a.thrift": 'include "b.thrift"', "b.thrift": "struct B {}" },
    );
  });

  it("rejects services and constants used as types", async () => {
    await expectSourceError(
      "service Svc {}\nstruct S { 1: Svc s }",
      "GEN_INVALID",
      "main.thrift:2:15",
      '"Svc" is a service, not a type',
    );
    await expectSourceError(
      "const i32 C = 1\ntypedef C T",
      "GEN_INVALID",
      "main.thrift:2:9",
      '"C" is a const, not a type',
    );
  });

  it("rejects typedef cycles", async () => {
    await expectSourceError(
      "typedef B A\ntypedef A B",
      "GEN_INVALID",
      "main.thrift:1:11",
      "typedef main.A refers to itself",
    );
    await expectSourceError("typedef list<X> X", "GEN_INVALID", "main.thrift:1:17", "typedef main.X refers to itself");
  });
});
