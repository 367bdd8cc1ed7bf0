import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseIdl, resolveSchema } from "../../../src/codegen/load-schema.ts";
import type { ParsedDocument } from "../../../src/codegen/load-schema.ts";
import { GeneratorError } from "../../../src/errors.ts";

function documentOf(module: string, source: string, includes: string[] = []): ParsedDocument {
  return { module, idl: parseIdl(source, `${module}.thrift`), includes };
}

describe("resolveSchema", () => {
  it("resolves already-parsed documents synchronously", () => {
    const schema = resolveSchema(
      [documentOf("app", "struct App { 1: lib.Lib lib }", ["lib"]), documentOf("lib", "struct Lib {}")],
      ["app"],
    );
    expect(schema.roots).toEqual(["app"]);
    expect([...schema.documents.keys()]).toEqual(["app", "lib"]);
    expect(schema.documents.get("app")?.structs[0]?.fields[0]?.type).toEqual({ kind: "struct", name: "lib.Lib" });
  });

  it("reports warnings through onWarning, and drops them without it", () => {
    const messages: string[] = [];
    resolveSchema([documentOf("m", "struct S { i32 a }")], ["m"], { onWarning: (w) => messages.push(w.message) });
    expect(messages).toEqual([
      "m.thrift:1:12: no field id given for m.S.a; assigned -1 as Apache Thrift does, which is fragile across versions",
    ]);
    expect(() => resolveSchema([documentOf("m", "struct S { i32 a }")], ["m"])).not.toThrow();
  });

  it("rejects inconsistent inputs", () => {
    expect(() => resolveSchema([documentOf("a", "")], ["b"])).toThrow(
      'root module "b" is not among the parsed documents',
    );
    expect(() => resolveSchema([documentOf("a", "", ["x"])], ["a"])).toThrow('a.thrift includes unknown module "x"');
    expect(() => resolveSchema([documentOf("a", ""), documentOf("a", "")], ["a"])).toThrow(
      'module "a" is defined twice',
    );
  });

  it("never fails with anything but a GeneratorError, whatever the input", () => {
    const vocabulary = [
      ...["struct", "union", "exception", "enum", "service", "typedef", "const", "namespace", "extends", "throws"],
      ...["oneway", "void", "required", "optional", "list", "map", "set", "i32", "string", "double", "A", "B"],
      ...["A.B", "x", "{", "}", "(", ")", "<", ">", "[", "]", ",", ";", ":", "=", "1", "-1", "0x1", "1.5"],
      ...['"s"', "true", "/** d */", "// l\n", "\n", "*", "cpp_include", "&", "1:", "2:"],
    ];
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...vocabulary), { maxLength: 30 }), (words) => {
        try {
          resolveSchema([documentOf("f", words.join(" "))], ["f"]);
        } catch (error) {
          expect(error).toBeInstanceOf(GeneratorError);
        }
      }),
      { numRuns: 3000 },
    );
  });
});
