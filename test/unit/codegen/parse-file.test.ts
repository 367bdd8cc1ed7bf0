import { SyntaxType } from "@creditkarma/thrift-parser";
import { describe, expect, it } from "vitest";
import { parseIdl } from "../../../src/codegen/parse-file.ts";
import { GeneratorError } from "../../../src/errors.ts";

function syntaxError(source: string): string {
  try {
    parseIdl(source, "t.thrift");
  } catch (error) {
    expect(error).toBeInstanceOf(GeneratorError);
    expect((error as GeneratorError).code).toBe("GEN_SYNTAX");
    return (error as GeneratorError).message;
  }
  throw new Error("expected a syntax error");
}

describe("parseIdl", () => {
  it("keeps statements in source order", () => {
    const { document } = parseIdl("service S {}\nstruct A {}\nnamespace py x\nenum E { A }", "t.thrift");
    expect(document.body.map((node) => node.type)).toEqual([
      SyntaxType.ServiceDefinition,
      SyntaxType.StructDefinition,
      SyntaxType.NamespaceDefinition,
      SyntaxType.EnumDefinition,
    ]);
  });

  it("drops cpp_include, cpp_type and the XSD keywords, which Apache accepts and we ignore", () => {
    const source = [
      'cpp_include "<map>"',
      "struct S xsd_all {",
      '  1: list<i32> cpp_type "std::vector<int>" a xsd_optional xsd_nillable',
      "}",
    ].join("\n");
    const { document } = parseIdl(source, "t.thrift");
    expect(document.body.map((node) => node.type)).toEqual([SyntaxType.StructDefinition]);
  });

  it("locates syntax errors at the offending token", () => {
    expect(syntaxError("stuct S {}")).toBe('t.thrift:1:1: Definition expected (found "stuct")');
    expect(syntaxError("struct S {}\nstuct T {}")).toBe('t.thrift:2:1: Definition expected (found "stuct")');
    expect(syntaxError("struct S {\n  1: i32\n}")).toBe(
      't.thrift:3:1: Unable to find identifier for field (found "}")',
    );
    expect(syntaxError("struct S { 1: i32 /* c */ }")).toBe(
      't.thrift:1:27: Unable to find identifier for field (found "}")',
    );
    expect(syntaxError("struct S { 1: void a }")).toBe('t.thrift:1:15: Field type expected (found "void")');
    expect(syntaxError("const i32 X =")).toBe(
      "t.thrift:1:14: Const must be initialized to a value (found end of file)",
    );
    expect(syntaxError("const map<i32,i32> M = {1 2}")).toBe('t.thrift:1:27: Colon expected after map key (found "2")');
    expect(syntaxError("enum E { A = B }")).toBe(
      't.thrift:1:14: Equals token "=" must be followed by an Integer (found "B")',
    );
    expect(syntaxError("senum S {}")).toBe('t.thrift:1:1: Definition expected (found "senum")');
  });

  it("reports lexical errors through the same channel", () => {
    expect(syntaxError('const string S = "abc\nstruct X {}')).toBe(
      "t.thrift:1:18: end of line inside a string literal",
    );
    expect(syntaxError("struct S { 1: i32 a = 1 + 2 }")).toBe('t.thrift:1:25: unexpected character "+"');
  });

  it("reports the first of several errors", () => {
    expect(syntaxError("struct A { 1: i32 }\nstruct B { 1: i32 }")).toBe(
      't.thrift:1:19: Unable to find identifier for field (found "}")',
    );
    expect(syntaxError("struct A { 1: i32 }\nconst string S = 'x")).toBe(
      't.thrift:1:19: Unable to find identifier for field (found "}")',
    );
    expect(syntaxError("const string S = 'x\nstruct A { 1: i32 }")).toBe(
      "t.thrift:1:18: end of line inside a string literal",
    );
  });
});
