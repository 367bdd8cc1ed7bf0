import { SyntaxType } from "@creditkarma/thrift-parser";
import type { TextPosition, Token } from "@creditkarma/thrift-parser";

/** A lexical error: a character or literal Apache Thrift's lexer would reject. */
export interface ScanProblem {
  readonly message: string;
  readonly position: TextPosition;
}

/** Tokens (ending with an EOF token) in the shape the creditkarma parser consumes, plus lexical errors. */
export interface ScanResult {
  readonly tokens: Token[];
  readonly problems: ScanProblem[];
}

const KEYWORDS: ReadonlyMap<string, SyntaxType> = new Map([
  ["namespace", SyntaxType.NamespaceKeyword],
  ["include", SyntaxType.IncludeKeyword],
  ["cpp_include", SyntaxType.CppIncludeKeyword],
  ["const", SyntaxType.ConstKeyword],
  ["struct", SyntaxType.StructKeyword],
  ["service", SyntaxType.ServiceKeyword],
  ["extends", SyntaxType.ExtendsKeyword],
  ["throws", SyntaxType.ThrowsKeyword],
  ["typedef", SyntaxType.TypedefKeyword],
  ["union", SyntaxType.UnionKeyword],
  ["enum", SyntaxType.EnumKeyword],
  ["senum", SyntaxType.SenumKeyword],
  ["list", SyntaxType.ListKeyword],
  ["set", SyntaxType.SetKeyword],
  ["map", SyntaxType.MapKeyword],
  ["double", SyntaxType.DoubleKeyword],
  ["i8", SyntaxType.I8Keyword],
  ["i16", SyntaxType.I16Keyword],
  ["i32", SyntaxType.I32Keyword],
  ["i64", SyntaxType.I64Keyword],
  ["exception", SyntaxType.ExceptionKeyword],
  ["binary", SyntaxType.BinaryKeyword],
  ["bool", SyntaxType.BoolKeyword],
  ["byte", SyntaxType.ByteKeyword],
  ["required", SyntaxType.RequiredKeyword],
  ["optional", SyntaxType.OptionalKeyword],
  ["string", SyntaxType.StringKeyword],
  ["true", SyntaxType.TrueKeyword],
  ["false", SyntaxType.FalseKeyword],
  ["void", SyntaxType.VoidKeyword],
  ["oneway", SyntaxType.OnewayKeyword],
]);

const SYMBOLS: ReadonlyMap<string, SyntaxType> = new Map([
  ["=", SyntaxType.EqualToken],
  ["(", SyntaxType.LeftParenToken],
  [")", SyntaxType.RightParenToken],
  ["{", SyntaxType.LeftBraceToken],
  ["}", SyntaxType.RightBraceToken],
  ["[", SyntaxType.LeftBracketToken],
  ["]", SyntaxType.RightBracketToken],
  [";", SyntaxType.SemicolonToken],
  [",", SyntaxType.CommaToken],
  [":", SyntaxType.ColonToken],
  ["<", SyntaxType.LessThanToken],
  [">", SyntaxType.GreaterThanToken],
]);

const ESCAPES: ReadonlyMap<string, string> = new Map([
  ["n", "\n"],
  ["r", "\r"],
  ["t", "\t"],
  ['"', '"'],
  ["'", "'"],
  ["\\", "\\"],
]);

const isDigit = (ch: string | undefined): boolean => ch !== undefined && ch >= "0" && ch <= "9";
const isHexDigit = (ch: string | undefined): boolean => ch !== undefined && /^[0-9a-fA-F]$/.test(ch);
const isIdentStart = (ch: string | undefined): boolean => ch !== undefined && /^[A-Za-z_]$/.test(ch);
const isIdentPart = (ch: string | undefined): boolean => ch !== undefined && /^[A-Za-z0-9_]$/.test(ch);

/**
 * Splits IDL source into tokens following Apache Thrift's lexer (thriftl.ll): escapes in string literals,
 * `+`/`-` signed and hex numbers, `.5` doubles, dotted identifiers, `*` as a namespace scope, comments kept.
 */
export function scanIdl(source: string): ScanResult {
  const tokens: Token[] = [];
  const problems: ScanProblem[] = [];
  let index = 0;
  let line = 1;
  let column = 1;

  const peek = (offset = 0): string | undefined => source[index + offset];
  const position = (): TextPosition => ({ line, column, index });
  const advance = (): void => {
    if (source[index] === "\n") {
      line += 1;
      column = 1;
    } else {
      column += 1;
    }
    index += 1;
  };
  const push = (type: SyntaxType, text: string, start: TextPosition): void => {
    tokens.push({ type, text, loc: { start, end: position() } });
  };
  const problem = (message: string, at: TextPosition): void => {
    problems.push({ message, position: at });
  };
  const previousSignificant = (): Token | undefined => {
    for (let i = tokens.length - 1; i >= 0; i--) {
      const token = tokens[i];
      if (token && token.type !== SyntaxType.CommentLine && token.type !== SyntaxType.CommentBlock) return token;
    }
    return undefined;
  };

  const lineComment = (start: TextPosition, prefixLength: number): void => {
    for (let i = 0; i < prefixLength; i++) advance();
    const from = index;
    while (index < source.length && peek() !== "\n") advance();
    push(SyntaxType.CommentLine, source.slice(from, index).trim(), start);
  };

  const blockComment = (start: TextPosition): void => {
    advance();
    advance();
    const from = index;
    while (index < source.length && !(peek() === "*" && peek(1) === "/")) advance();
    if (index >= source.length) {
      problem("unterminated comment", start);
      return;
    }
    const text = source.slice(from, index);
    advance();
    advance();
    push(SyntaxType.CommentBlock, text.trim(), start);
  };

  const stringLiteral = (start: TextPosition): void => {
    const quote = peek();
    advance();
    let value = "";
    for (;;) {
      const ch = peek();
      if (ch === undefined) {
        problem("unterminated string literal", start);
        return;
      }
      if (ch === "\n") {
        problem("end of line inside a string literal", start);
        return;
      }
      if (ch === quote) break;
      if (ch === "\\") {
        const escapeAt = position();
        advance();
        const escaped = ESCAPES.get(peek() ?? "");
        if (escaped === undefined) problem(`bad escape character "\\${peek() ?? ""}" in string literal`, escapeAt);
        else value += escaped;
        if (peek() !== undefined && peek() !== "\n") advance();
        continue;
      }
      value += ch;
      advance();
    }
    advance();
    push(SyntaxType.StringLiteral, value, start);
  };

  const numberLiteral = (start: TextPosition): void => {
    const from = index;
    if (peek() === "+" || peek() === "-") advance();
    if (peek() === "0" && (peek(1) === "x" || peek(1) === "X") && isHexDigit(peek(2))) {
      advance();
      advance();
      while (isHexDigit(peek())) advance();
      push(SyntaxType.HexLiteral, source.slice(from, index), start);
      return;
    }
    let type = SyntaxType.IntegerLiteral;
    while (isDigit(peek())) advance();
    if (peek() === "." && isDigit(peek(1))) {
      type = SyntaxType.FloatLiteral;
      advance();
      while (isDigit(peek())) advance();
    }
    const sign = peek(1) === "+" || peek(1) === "-" ? 1 : 0;
    if ((peek() === "e" || peek() === "E") && isDigit(peek(1 + sign))) {
      type = SyntaxType.ExponentialLiteral;
      for (let i = 0; i <= sign; i++) advance();
      while (isDigit(peek())) advance();
    }
    push(type, source.slice(from, index), start);
  };

  const identifier = (start: TextPosition): void => {
    const from = index;
    advance();
    while (isIdentPart(peek()) || (peek() === "." && isIdentPart(peek(1)))) advance();
    const text = source.slice(from, index);
    push(KEYWORDS.get(text) ?? SyntaxType.Identifier, text, start);
  };

  while (index < source.length) {
    const ch = peek() ?? "";
    const start = position();
    const next = peek(1);
    const symbol = SYMBOLS.get(ch);
    if (ch === " " || ch === "\t" || ch === "\r" || ch === "\n" || ch === "&") {
      // `&` marks C++ references in Apache IDL; it has no meaning for us.
      advance();
    } else if (symbol !== undefined) {
      advance();
      push(symbol, ch, start);
    } else if (ch === "#") {
      lineComment(start, 1);
    } else if (ch === "/" && next === "/") {
      lineComment(start, 2);
    } else if (ch === "/" && next === "*") {
      blockComment(start);
    } else if (ch === '"' || ch === "'") {
      stringLiteral(start);
    } else if (
      isDigit(ch) ||
      (ch === "." && isDigit(next)) ||
      ((ch === "+" || ch === "-") && (isDigit(next) || (next === "." && isDigit(peek(2)))))
    ) {
      numberLiteral(start);
    } else if (isIdentStart(ch)) {
      identifier(start);
    } else if (ch === "*" && previousSignificant()?.type === SyntaxType.NamespaceKeyword) {
      advance();
      push(SyntaxType.Identifier, "*", start);
    } else {
      problem(`unexpected character "${ch}"`, start);
      advance();
    }
  }
  push(SyntaxType.EOF, "", position());
  return { tokens, problems };
}
