import { createParser, SyntaxType } from "@creditkarma/thrift-parser";
import type { TextLocation, TextPosition, ThriftDocument, ThriftError, Token } from "@creditkarma/thrift-parser";
import { GeneratorError } from "../errors.ts";
import { scanIdl } from "./idl-scanner.ts";
import { dropIgnoredTokens } from "./ignored-tokens.ts";
import { isComment, nextSignificantIndex, previousSignificantIndex, tokenIndexAt } from "./tokens.ts";

/** One IDL file, scanned and parsed: the creditkarma AST plus the tokens and source it came from. */
export interface ParsedIdl {
  /** Path used in messages (the document's path as given or derived from includes). */
  readonly file: string;
  readonly source: string;
  /** Tokens as parsed, comments included, ending with EOF; for doc comments and precise locations. */
  readonly tokens: readonly Token[];
  /** Statements in source order (not reorganized by kind). */
  readonly document: ThriftDocument;
}

interface Problem {
  readonly message: string;
  readonly position: TextPosition;
}

/** Parser messages whose location is the offending token itself rather than the token before it. */
const LOCATED_AT_OFFENDER = [
  /^FieldType expected/,
  /^Key expected/,
  /^IntConstant expected/,
  /^DoubleConstant expected/,
];

/**
 * Scans and parses one IDL file. Throws a `GEN_SYNTAX` {@link GeneratorError} located at the first lexical or
 * syntax error in the file.
 */
export function parseIdl(source: string, file: string): ParsedIdl {
  const scanned = scanIdl(source);
  const { problems } = scanned;
  const tokens = dropIgnoredTokens(scanned.tokens);
  const parseProblems: Problem[] = [];
  const parser = createParser([...tokens], (error: ThriftError) => {
    parseProblems.push(locateParseError(error, tokens));
    parser.synchronize();
  });
  let document: ThriftDocument;
  try {
    document = parser.parse();
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    throw new GeneratorError("GEN_SYNTAX", `cannot parse: ${detail}`, { file, line: 1, column: 1 }, { cause: error });
  }
  const first = [...problems, ...parseProblems].sort((a, b) => a.position.index - b.position.index)[0];
  if (first !== undefined) {
    const { line, column } = first.position;
    throw new GeneratorError("GEN_SYNTAX", first.message, { file, line, column });
  }
  return { file, source, tokens, document };
}

/**
 * The creditkarma parser locates most errors at the token before the offending one (and at nothing when the
 * offending token is the first of the file); this finds the offending token and names it in the message.
 */
function locateParseError(error: ThriftError, tokens: readonly Token[]): Problem {
  const loc = error.loc as TextLocation | undefined;
  if (loc === undefined) {
    const token = tokenOrEof(tokens, nextSignificantIndex(tokens, 0));
    return { message: `Definition expected (found ${describe(token)})`, position: token.loc.start };
  }
  const at = tokenIndexAt(tokens, loc.start.index);
  const atOffender = LOCATED_AT_OFFENDER.some((pattern) => pattern.test(error.message)) || error.message === "";
  let index: number;
  if (atOffender) {
    const here = tokens[at];
    index = here !== undefined && isComment(here) ? previousSignificantIndex(tokens, at) : at;
  } else {
    index = nextSignificantIndex(tokens, at + 1);
  }
  const token = tokenOrEof(tokens, index);
  return { message: `${cleanMessage(error.message)} (found ${describe(token)})`, position: token.loc.start };
}

function tokenOrEof(tokens: readonly Token[], index: number): Token {
  const token = tokens[index] ?? tokens[tokens.length - 1];
  if (token === undefined) throw new Error("token list without EOF");
  return token;
}

function cleanMessage(message: string): string {
  if (message === "") return "Value expected";
  if (message.startsWith("FieldType expected")) return "Field type expected";
  if (message.startsWith("Invalid start to Thrift statement")) return "Definition expected";
  if (message.startsWith("Semicolon expected after key")) return "Colon expected after map key";
  return message;
}

function describe(token: Token): string {
  return token.type === SyntaxType.EOF ? "end of file" : `"${token.text}"`;
}
