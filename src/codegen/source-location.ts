import { SyntaxType } from "@creditkarma/thrift-parser";
import type { FunctionType, TextLocation, TextPosition } from "@creditkarma/thrift-parser";
import { GeneratorError } from "../errors.ts";
import type { GeneratorErrorCode, SourceLocation } from "../errors.ts";
import type { DefinitionLocation } from "../model/schema.ts";
import type { ParsedIdl } from "./parse-file.ts";
import { previousSignificantIndex, tokenIndexAt } from "./tokens.ts";

/** Anything the parser gives a location to. */
export interface Located {
  readonly loc: TextLocation;
}

/** The 1-based file:line:col of a parser position in `idl`. */
export function sourceLocation(idl: ParsedIdl, position: TextPosition): SourceLocation & DefinitionLocation {
  return { file: idl.file, line: position.line, column: position.column };
}

/** A {@link GeneratorError} located at the start of `node` in `idl`, to be thrown by the caller. */
export function errorAt(code: GeneratorErrorCode, detail: string, idl: ParsedIdl, node: Located): GeneratorError {
  return new GeneratorError(code, detail, sourceLocation(idl, node.loc.start));
}

/** Index of the first token of a type: the parser locates `list<...>`, `set<...>` and `map<...>` at their `<`. */
export function typeStartIndex(idl: ParsedIdl, type: FunctionType): number {
  const index = tokenIndexAt(idl.tokens, type.loc.start.index);
  const container =
    type.type === SyntaxType.ListType || type.type === SyntaxType.SetType || type.type === SyntaxType.MapType;
  return container ? previousSignificantIndex(idl.tokens, index) : index;
}

/** Where a type starts, for messages about it. */
export function typeStart(idl: ParsedIdl, type: FunctionType): Located {
  return idl.tokens[typeStartIndex(idl, type)] ?? type;
}
