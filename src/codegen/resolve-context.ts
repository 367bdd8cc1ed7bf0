import type { TextPosition } from "@creditkarma/thrift-parser";
import type { ParsedIdl } from "./parse-file.ts";
import type { ConstResolver } from "./resolve-consts.ts";
import type { EnumResolver } from "./resolve-enums.ts";
import type { TypeResolver } from "./resolve-types.ts";
import type { SchemaScope } from "./scope.ts";

/** The resolvers shared by every step of {@link resolveSchema}. */
export interface ResolveContext {
  readonly scope: SchemaScope;
  readonly types: TypeResolver;
  readonly enums: EnumResolver;
  readonly consts: ConstResolver;
  /** Reports a warning located at `position` in `idl`. */
  warn(detail: string, idl: ParsedIdl, position: TextPosition): void;
}
