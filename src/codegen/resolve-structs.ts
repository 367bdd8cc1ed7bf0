import { SyntaxType } from "@creditkarma/thrift-parser";
import type { StructDef } from "../model/schema.ts";
import { annotationsOf } from "./annotations.ts";
import { docCommentAt } from "./doc-comments.ts";
import type { ResolveContext } from "./resolve-context.ts";
import { resolveFields } from "./resolve-fields.ts";
import type { DeclarationOf } from "./scope.ts";
import { sourceLocation } from "./source-location.ts";

/** Resolves a struct, union or exception declaration. */
export function resolveStruct(ctx: ResolveContext, declaration: DeclarationOf<"struct">): StructDef {
  const { node, document } = declaration;
  const kind =
    node.type === SyntaxType.UnionDefinition
      ? "union"
      : node.type === SyntaxType.ExceptionDefinition
        ? "exception"
        : "struct";
  const doc = docCommentAt(document.idl, node.loc.start.index);
  return {
    kind,
    name: declaration.name,
    qualifiedName: declaration.qualifiedName,
    fields: resolveFields(ctx, document, node.fields, kind, declaration.qualifiedName),
    annotations: annotationsOf(node.annotations),
    ...(doc === undefined ? {} : { doc }),
    location: sourceLocation(document.idl, node.name.loc.start),
  };
}
