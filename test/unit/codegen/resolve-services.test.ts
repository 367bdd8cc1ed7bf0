import { describe, expect, it } from "vitest";
import { SchemaIndex } from "../../../src/model/schema-index.ts";
import { expectSourceError, loadSource } from "./idl-test-helpers.ts";

describe("services", () => {
  it("resolves methods: oneway, return types, arguments with defaults, throws, annotations and docs", async () => {
    const { main } = await loadSource(
      [
        "exception Oops { 1: string why }",
        "/** The service. */",
        "service Svc {",
        "  /** Gets. */",
        '  map<string, i32> get(1: required string key, 2: optional i32 limit = 10) throws (1: Oops oops) (cached = "yes")',
        "  /** Fires. */",
        "  oneway void fire(1: i64 at)",
        "  void nothing(),",
        "  list<i32> implicit(string a, i32 b);",
        '} (transport = "queue")',
      ].join("\n"),
    );
    expect(main.services).toEqual([
      {
        name: "Svc",
        qualifiedName: "main.Svc",
        methods: [
          {
            name: "get",
            oneway: false,
            args: [
              { id: 1, name: "key", type: { kind: "string" }, requiredness: "required", annotations: {} },
              {
                id: 2,
                name: "limit",
                type: { kind: "i32" },
                requiredness: "optional",
                default: { kind: "int", value: 10n },
                annotations: {},
              },
            ],
            returnType: { kind: "map", key: { kind: "string" }, value: { kind: "i32" } },
            throws: [
              {
                id: 1,
                name: "oops",
                type: { kind: "struct", name: "main.Oops" },
                requiredness: "default",
                annotations: {},
              },
            ],
            annotations: { cached: "yes" },
            doc: "Gets.",
          },
          {
            name: "fire",
            oneway: true,
            args: [{ id: 1, name: "at", type: { kind: "i64" }, requiredness: "default", annotations: {} }],
            returnType: null,
            throws: [],
            annotations: {},
            doc: "Fires.",
          },
          { name: "nothing", oneway: false, args: [], returnType: null, throws: [], annotations: {} },
          {
            name: "implicit",
            oneway: false,
            args: [
              { id: -1, name: "a", type: { kind: "string" }, requiredness: "default", annotations: {} },
              { id: -2, name: "b", type: { kind: "i32" }, requiredness: "default", annotations: {} },
            ],
            returnType: { kind: "list", element: { kind: "i32" } },
            throws: [],
            annotations: {},
          },
        ],
        annotations: { transport: "queue" },
        doc: "The service.",
        location: { file: "main.thrift", line: 3, column: 9 },
      },
    ]);
  });

  it("resolves extends locally, forward and across includes", async () => {
    const { schema, main } = await loadSource(
      'include "base.thrift"\nservice Child extends Middle { void c() }\nservice Middle extends base.Root { void m() }',
      { "base.thrift": "service Root { void r() }" },
    );
    expect(main.services.map((s) => [s.qualifiedName, s.extends])).toEqual([
      ["main.Child", "main.Middle"],
      ["main.Middle", "base.Root"],
    ]);
    const index = new SchemaIndex(schema);
    expect(index.allMethods(index.findService("main.Child") ?? main.services[0]!).map((m) => m.name)).toEqual([
      "c",
      "m",
      "r",
    ]);
  });

  it("rejects unknown, non-service and cyclic parents", async () => {
    await expectSourceError(
      "service S extends Nope {}",
      "GEN_UNRESOLVED",
      "main.thrift:1:19",
      'unknown service "Nope"',
    );
    await expectSourceError(
      "struct T {}\nservice S extends T {}",
      "GEN_INVALID",
      "main.thrift:2:19",
      '"T" is a struct, not a service',
    );
    await expectSourceError(
      "service A extends B {}\nservice B extends A {}",
      "GEN_INVALID",
      "main.thrift:2:19",
      "service main.A extends itself",
    );
    await expectSourceError("service A extends A {}", "GEN_INVALID", "main.thrift:1:19");
  });

  it("rejects duplicate method names, also against inherited methods (Apache forbids overriding)", async () => {
    await expectSourceError(
      "service S {\n  void f()\n  i32 f()\n}",
      "GEN_DUPLICATE",
      "main.thrift:3:7",
      'method "f" is already defined',
    );
    await expectSourceError(
      'include "base.thrift"\nservice S extends base.Base {\n  void ping()\n}',
      "GEN_DUPLICATE",
      "main.thrift:3:8",
      'method "ping" is already defined in parent service base.Root',
      { "base.thrift": "service Root { void ping() }\nservice Base extends Root {}" },
    );
  });

  it("rejects oneway methods that return a value or declare exceptions", async () => {
    await expectSourceError(
      "service S {\n  oneway i32 f()\n}",
      "GEN_INVALID",
      "main.thrift:2:10",
      "oneway method main.S.f must return void",
    );
    await expectSourceError("service S { oneway list<i32> f() }", "GEN_INVALID", "main.thrift:1:20");
    await expectSourceError(
      "exception E {}\nservice S { oneway void f() throws (1: E e) }",
      "GEN_INVALID",
      "main.thrift:2:37",
      "oneway method main.S.f cannot throw exceptions",
    );
  });

  it("requires exceptions in throws clauses", async () => {
    await expectSourceError(
      "struct NotAnException {}\nservice S { void f() throws (1: NotAnException e) }",
      "GEN_INVALID",
      "main.thrift:2:33",
      'throws clause of main.S.f may only list exceptions, but "e" is struct main.NotAnException',
    );
    await expectSourceError(
      "service S { void f() throws (1: list<i32> e) }",
      "GEN_INVALID",
      "main.thrift:1:33",
      "is list<i32>",
    );
    await expectSourceError("service S { void f() throws (1: Missing e) }", "GEN_UNRESOLVED", "main.thrift:1:33");
  });

  it("checks argument lists like struct fields", async () => {
    await expectSourceError(
      "service S { void f(1: i32 a, 1: i32 b) }",
      "GEN_DUPLICATE",
      "main.thrift:1:30",
      "in main.S.f",
    );
    await expectSourceError("service S { void f(1: i8 a = 1000) }", "GEN_INVALID", "main.thrift:1:30");
    await expectSourceError("service S { void f(1: i32 a) throws (1: i32 a) }", "GEN_INVALID", "main.thrift:1:41");
  });
});
