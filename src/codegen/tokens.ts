import { SyntaxType } from "@creditkarma/thrift-parser";
import type { Token } from "@creditkarma/thrift-parser";

/** Whether a token is a comment (line or block). */
export function isComment(token: Token): boolean {
  return token.type === SyntaxType.CommentLine || token.type === SyntaxType.CommentBlock;
}

/** Index of the token starting exactly at source offset `offset`, or of the first token after it. */
export function tokenIndexAt(tokens: readonly Token[], offset: number): number {
  let low = 0;
  let high = tokens.length - 1;
  while (low < high) {
    const middle = (low + high) >> 1;
    const token = tokens[middle];
    if (token !== undefined && token.loc.start.index < offset) low = middle + 1;
    else high = middle;
  }
  return low;
}

/** Index of the nearest non-comment token before `index`, or -1. */
export function previousSignificantIndex(tokens: readonly Token[], index: number): number {
  for (let i = index - 1; i >= 0; i--) {
    const token = tokens[i];
    if (token !== undefined && !isComment(token)) return i;
  }
  return -1;
}

/** Index of the first non-comment token at or after `index` (the EOF token at worst). */
export function nextSignificantIndex(tokens: readonly Token[], index: number): number {
  for (let i = Math.max(index, 0); i < tokens.length; i++) {
    const token = tokens[i];
    if (token !== undefined && !isComment(token)) return i;
  }
  return tokens.length - 1;
}
