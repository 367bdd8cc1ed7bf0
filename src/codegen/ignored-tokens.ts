import { SyntaxType } from "@creditkarma/thrift-parser";
import type { Token } from "@creditkarma/thrift-parser";
import { nextSignificantIndex } from "./tokens.ts";

/** Apache keywords that carry meaning only for XSD generation: dropped wherever they appear. */
const XSD_KEYWORDS = new Set(["xsd_all", "xsd_optional", "xsd_nillable"]);

/**
 * Removes what Apache accepts but the creditkarma parser cannot parse and we have no use for:
 * `cpp_include "..."` statements, `cpp_type "..."` on container types and the bare XSD keywords.
 * (The scanner already drops C++ reference markers `&`.)
 */
export function dropIgnoredTokens(tokens: readonly Token[]): Token[] {
  const kept: Token[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i];
    if (token === undefined) continue;
    const takesString = token.type === SyntaxType.CppIncludeKeyword || isIdentifier(token, "cpp_type");
    const next = nextSignificantIndex(tokens, i + 1);
    if (takesString && tokens[next]?.type === SyntaxType.StringLiteral) {
      i = next;
      continue;
    }
    if (token.type === SyntaxType.Identifier && XSD_KEYWORDS.has(token.text)) continue;
    kept.push(token);
  }
  return kept;
}

function isIdentifier(token: Token, text: string): boolean {
  return token.type === SyntaxType.Identifier && token.text === text;
}
