import { SyntaxType } from "@creditkarma/thrift-parser";
import { describe, expect, it } from "vitest";
import { scanIdl } from "../../../src/codegen/idl-scanner.ts";

function kinds(source: string): [string, string][] {
  const { tokens, problems } = scanIdl(source);
  expect(problems).toEqual([]);
  return tokens.map((token) => [token.type, token.text]);
}

function problemsOf(source: string): string[] {
  return scanIdl(source).problems.map((p) => `${p.position.line}:${p.position.column}: ${p.message}`);
}

describe("scanIdl", () => {
  it("scans keywords, dotted identifiers and symbols", () => {
    expect(kinds("struct a.B {1:byte x;}")).toEqual([
      [SyntaxType.StructKeyword, "struct"],
      [SyntaxType.Identifier, "a.B"],
      [SyntaxType.LeftBraceToken, "{"],
      [SyntaxType.IntegerLiteral, "1"],
      [SyntaxType.ColonToken, ":"],
      [SyntaxType.ByteKeyword, "byte"],
      [SyntaxType.Identifier, "x"],
      [SyntaxType.SemicolonToken, ";"],
      [SyntaxType.RightBraceToken, "}"],
      [SyntaxType.EOF, ""],
    ]);
  });

  it("scans the number forms Apache accepts", () => {
    expect(kinds("1 -2 +3 007 0x1F -0x10 1.5 -.5 .25 1e10 2.5E-3 -1e+2")).toEqual([
      [SyntaxType.IntegerLiteral, "1"],
      [SyntaxType.IntegerLiteral, "-2"],
      [SyntaxType.IntegerLiteral, "+3"],
      [SyntaxType.IntegerLiteral, "007"],
      [SyntaxType.HexLiteral, "0x1F"],
      [SyntaxType.HexLiteral, "-0x10"],
      [SyntaxType.FloatLiteral, "1.5"],
      [SyntaxType.FloatLiteral, "-.5"],
      [SyntaxType.FloatLiteral, ".25"],
      [SyntaxType.ExponentialLiteral, "1e10"],
      [SyntaxType.ExponentialLiteral, "2.5E-3"],
      [SyntaxType.ExponentialLiteral, "-1e+2"],
      [SyntaxType.EOF, ""],
    ]);
  });

  it("unescapes string literals in both quote styles", () => {
    expect(kinds(`"a\\"b\\n\\t\\r\\\\" 'it\\'s "x"'`)).toEqual([
      [SyntaxType.StringLiteral, 'a"b\n\t\r\\'],
      [SyntaxType.StringLiteral, `it's "x"`],
      [SyntaxType.EOF, ""],
    ]);
  });

  it("accepts * only as a namespace scope", () => {
    expect(kinds("namespace * foo.bar")).toEqual([
      [SyntaxType.NamespaceKeyword, "namespace"],
      [SyntaxType.Identifier, "*"],
      [SyntaxType.Identifier, "foo.bar"],
      [SyntaxType.EOF, ""],
    ]);
    expect(problemsOf("struct * {}")).toEqual(['1:8: unexpected character "*"']);
  });

  it("keeps comments as tokens and drops C++ reference markers", () => {
    expect(kinds("# hash\n// slashes\n/* block */ Foo& x")).toEqual([
      [SyntaxType.CommentLine, "hash"],
      [SyntaxType.CommentLine, "slashes"],
      [SyntaxType.CommentBlock, "block"],
      [SyntaxType.Identifier, "Foo"],
      [SyntaxType.Identifier, "x"],
      [SyntaxType.EOF, ""],
    ]);
  });

  it("tracks 1-based lines and columns across multi-line comments and tabs", () => {
    const { tokens } = scanIdl("/**\n * doc\n */\n\tstruct  S\r\n{}");
    const at = tokens.map(
      (t) =>
        `${t.type === SyntaxType.CommentBlock ? "/**/" : t.text}@${t.loc.start.line}:${t.loc.start.column}-${t.loc.end.line}:${t.loc.end.column}`,
    );
    expect(at).toEqual(["/**/@1:1-3:4", "struct@4:2-4:8", "S@4:10-4:11", "{@5:1-5:2", "}@5:2-5:3", "@5:3-5:3"]);
  });

  it("reports lexical errors at their position and keeps scanning", () => {
    expect(problemsOf('const string S = "abc')).toEqual(["1:18: unterminated string literal"]);
    expect(problemsOf("const string S = 'ab\nc'")).toEqual([
      "1:18: end of line inside a string literal",
      "2:2: unterminated string literal",
    ]);
    expect(problemsOf('x = "a\\qb"')).toEqual(['1:7: bad escape character "\\q" in string literal']);
    expect(problemsOf("struct S {}\n  /* never closed")).toEqual(["2:3: unterminated comment"]);
    expect(problemsOf("a @ b $")).toEqual(['1:3: unexpected character "@"', '1:7: unexpected character "$"']);
    expect(problemsOf("x = - 1")).toEqual(['1:5: unexpected character "-"']);
  });
});
