import { SyntaxType } from "@creditkarma/thrift-parser";
import { GeneratorError } from "../errors.ts";
import type { ConstDef, EnumDef, Schema, SchemaDocument, ServiceDef, StructDef, TypedefDef } from "../model/schema.ts";
import { annotationsOf } from "./annotations.ts";
import { docCommentAt } from "./doc-comments.ts";
import type { ResolveContext } from "./resolve-context.ts";
import { ConstResolver } from "./resolve-consts.ts";
import { EnumResolver } from "./resolve-enums.ts";
import { ServiceResolver } from "./resolve-services.ts";
import { resolveStruct } from "./resolve-structs.ts";
import { TypeResolver } from "./resolve-types.ts";
import { SchemaScope } from "./scope.ts";
import type { DeclarationOf, ParsedDocument } from "./scope.ts";
import { sourceLocation } from "./source-location.ts";
import { createWarning } from "./warnings.ts";
import type { WarningHandler } from "./warnings.ts";

/** Options of {@link resolveSchema}. */
export interface ResolveSchemaOptions {
  /** Receives warnings (for example implicit field ids); they are dropped when absent. */
  onWarning?: WarningHandler;
}

/**
 * Resolves and validates already-parsed documents into a {@link Schema}. Pure and synchronous: `documents`
 * must hold every document reachable through includes (see `ParsedDocument.includes`); `roots` are the module
 * names asked for. Throws a located {@link GeneratorError} at the first problem.
 */
export function resolveSchema(
  documents: readonly ParsedDocument[],
  roots: readonly string[],
  options: ResolveSchemaOptions = {},
): Schema {
  const scope = new SchemaScope(documents);
  for (const root of roots) {
    if (!documents.some((document) => document.module === root)) {
      throw new GeneratorError("GEN_UNRESOLVED", `root module "${root}" is not among the parsed documents`);
    }
  }
  const types = new TypeResolver(scope);
  const enums = new EnumResolver();
  const consts = new ConstResolver(scope, types, enums);
  const ctx: ResolveContext = {
    scope,
    types,
    enums,
    consts,
    warn: (detail, idl, position) => options.onWarning?.(createWarning(detail, sourceLocation(idl, position))),
  };
  const services = new ServiceResolver(ctx);
  const resolved = new Map<string, SchemaDocument>();
  for (const document of documents) {
    resolved.set(document.module, resolveDocument(ctx, services, document));
  }
  return { roots: [...roots], documents: resolved };
}

function resolveDocument(ctx: ResolveContext, services: ServiceResolver, document: ParsedDocument): SchemaDocument {
  const namespaces: Record<string, string> = {};
  for (const node of document.idl.document.body) {
    if (node.type === SyntaxType.NamespaceDefinition) namespaces[node.scope.value] = node.name.value;
  }
  const enumDefs: EnumDef[] = [];
  const typedefs: TypedefDef[] = [];
  const constDefs: ConstDef[] = [];
  const structs: StructDef[] = [];
  const serviceDefs: ServiceDef[] = [];
  for (const declaration of ctx.scope.declarationsOf(document)) {
    switch (declaration.kind) {
      case "enum":
        enumDefs.push(ctx.enums.enumDef(declaration));
        break;
      case "typedef":
        typedefs.push(resolveTypedef(ctx, declaration));
        break;
      case "const":
        constDefs.push(ctx.consts.constDef(declaration));
        break;
      case "struct":
        structs.push(resolveStruct(ctx, declaration));
        break;
      case "service":
        serviceDefs.push(services.serviceDef(declaration));
        break;
    }
  }
  return {
    module: document.module,
    path: document.idl.file,
    namespaces,
    includes: [...document.includes],
    enums: enumDefs,
    typedefs,
    consts: constDefs,
    structs,
    services: serviceDefs,
  };
}

function resolveTypedef(ctx: ResolveContext, declaration: DeclarationOf<"typedef">): TypedefDef {
  const { node, document } = declaration;
  const doc = docCommentAt(document.idl, node.loc.start.index);
  return {
    name: declaration.name,
    qualifiedName: declaration.qualifiedName,
    type: ctx.types.typedefTarget(declaration),
    annotations: annotationsOf(node.annotations),
    ...(doc === undefined ? {} : { doc }),
    location: sourceLocation(document.idl, node.name.loc.start),
  };
}
