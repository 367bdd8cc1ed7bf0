import { SyntaxType } from "@creditkarma/thrift-parser";
import type { ParsedIdl } from "./parse-file.ts";
import { isComment, tokenIndexAt } from "./tokens.ts";

/**
 * The `/** ... *\/` doc comment directly before the token that starts at `offset` (other comments in between
 * are skipped, as Apache does), normalized to plain text; undefined when there is none.
 */
export function docCommentAt(idl: ParsedIdl, offset: number): string | undefined {
  return docCommentBeforeToken(idl, tokenIndexAt(idl.tokens, offset));
}

/** Like {@link docCommentAt}, for the token at `tokenIndex`. */
export function docCommentBeforeToken(idl: ParsedIdl, tokenIndex: number): string | undefined {
  for (let i = tokenIndex - 1; i >= 0; i--) {
    const token = idl.tokens[i];
    if (token === undefined || !isComment(token)) return undefined;
    const start = token.loc.start.index;
    if (
      token.type === SyntaxType.CommentBlock &&
      idl.source.startsWith("/**", start) &&
      !idl.source.startsWith("/**/", start)
    ) {
      return normalizeDocComment(idl.source.slice(start + 3, token.loc.end.index - 2));
    }
  }
  return undefined;
}

/** Strips the leading `*` decoration and common indentation of a doc comment body; undefined if empty. */
export function normalizeDocComment(body: string): string | undefined {
  let lines = body.split(/\r?\n/);
  const [first = "", ...rest] = lines;
  const starred = rest.filter((line) => line.trim() !== "").every((line) => /^\s*\*/.test(line));
  const tail = starred ? rest.map((line) => line.replace(/^\s*\*+ ?/, "")) : rest;
  const indents = tail.filter((line) => line.trim() !== "").map((line) => /^\s*/.exec(line)?.[0].length ?? 0);
  const common = indents.length === 0 ? 0 : Math.min(...indents);
  lines = [first.replace(/^\*+/, "").trimStart(), ...tail.map((line) => line.slice(common))].map((line) =>
    line.trimEnd(),
  );
  while (lines.length > 0 && lines[0] === "") lines.shift();
  while (lines.length > 0 && lines[lines.length - 1] === "") lines.pop();
  return lines.length === 0 ? undefined : lines.join("\n");
}
