import type { FunctionDefinition, Identifier } from "@creditkarma/thrift-parser";
import type { MethodDef, ServiceDef } from "../model/schema.ts";
import { annotationsOf } from "./annotations.ts";
import { docCommentBeforeToken } from "./doc-comments.ts";
import type { ParsedIdl } from "./parse-file.ts";
import type { ResolveContext } from "./resolve-context.ts";
import { resolveFields } from "./resolve-fields.ts";
import { checkDefinitionName } from "./scope.ts";
import type { DeclarationOf, ParsedDocument } from "./scope.ts";
import { errorAt, sourceLocation, typeStart, typeStartIndex } from "./source-location.ts";
import type { Located } from "./source-location.ts";
import { previousSignificantIndex, tokenIndexAt } from "./tokens.ts";

type ServiceDeclaration = DeclarationOf<"service">;

/**
 * Resolves services: `extends` (also across includes, cycles rejected), methods with unique names including
 * inherited ones (Apache forbids overriding), oneway rules (void, no throws), arguments and exceptions.
 */
export class ServiceResolver {
  private readonly ctx: ResolveContext;
  private readonly resolved = new Map<ServiceDeclaration, ServiceDef>();
  /** Method name -> qualified name of the service declaring it, for every method a service answers. */
  private readonly answered = new Map<ServiceDeclaration, ReadonlyMap<string, string>>();
  private readonly resolving = new Set<ServiceDeclaration>();

  constructor(ctx: ResolveContext) {
    this.ctx = ctx;
  }

  /** The resolved service of a declaration (memoized). */
  serviceDef(declaration: ServiceDeclaration): ServiceDef {
    const known = this.resolved.get(declaration);
    if (known !== undefined) return known;
    const { node, document } = declaration;
    const { idl } = document;
    this.resolving.add(declaration);
    try {
      const parent = node.extends === null ? undefined : this.parent(document, node.extends);
      const methods: MethodDef[] = [];
      const answered = new Map<string, string>(parent === undefined ? [] : this.answered.get(parent));
      for (const fn of node.functions) {
        checkDefinitionName(idl, fn.name);
        const name = fn.name.value;
        const owner = answered.get(name);
        if (owner !== undefined) {
          const where = owner === declaration.qualifiedName ? "" : ` in parent service ${owner}`;
          throw errorAt("GEN_DUPLICATE", `method "${name}" is already defined${where}`, idl, fn.name);
        }
        answered.set(name, declaration.qualifiedName);
        methods.push(this.method(document, fn, `${declaration.qualifiedName}.${name}`));
      }
      const doc = docCommentBeforeToken(idl, tokenIndexAt(idl.tokens, node.loc.start.index));
      const def: ServiceDef = {
        name: declaration.name,
        qualifiedName: declaration.qualifiedName,
        ...(parent === undefined ? {} : { extends: parent.qualifiedName }),
        methods,
        annotations: annotationsOf(node.annotations),
        ...(doc === undefined ? {} : { doc }),
        location: sourceLocation(idl, node.name.loc.start),
      };
      this.resolved.set(declaration, def);
      this.answered.set(declaration, answered);
      return def;
    } finally {
      this.resolving.delete(declaration);
    }
  }

  private parent(document: ParsedDocument, extendsName: Identifier): ServiceDeclaration {
    const name = extendsName.value;
    const where = nameOfExtends(extendsName);
    const declaration = this.ctx.scope.lookup(document, name);
    if (declaration === undefined) {
      throw errorAt("GEN_UNRESOLVED", `unknown service "${name}"`, document.idl, where);
    }
    if (declaration.kind !== "service") {
      throw errorAt("GEN_INVALID", `"${name}" is a ${declaration.kind}, not a service`, document.idl, where);
    }
    if (this.resolving.has(declaration)) {
      throw errorAt("GEN_INVALID", `service ${declaration.qualifiedName} extends itself`, document.idl, where);
    }
    this.serviceDef(declaration);
    return declaration;
  }

  private method(document: ParsedDocument, fn: FunctionDefinition, owner: string): MethodDef {
    const { idl } = document;
    const { ctx } = this;
    const returnType = ctx.types.resolveReturn(document, fn.returnType);
    if (fn.oneway && returnType !== null) {
      throw errorAt("GEN_INVALID", `oneway method ${owner} must return void`, idl, typeStart(idl, fn.returnType));
    }
    const firstThrows = fn.throws[0];
    if (fn.oneway && firstThrows !== undefined) {
      throw errorAt("GEN_INVALID", `oneway method ${owner} cannot throw exceptions`, idl, firstThrows);
    }
    const doc = docCommentBeforeToken(idl, firstTokenOfMethod(idl, fn));
    return {
      name: fn.name.value,
      oneway: fn.oneway,
      args: resolveFields(ctx, document, fn.fields, "arguments", owner),
      returnType,
      throws: resolveFields(ctx, document, fn.throws, "throws", owner),
      annotations: annotationsOf(fn.annotations),
      ...(doc === undefined ? {} : { doc }),
    };
  }
}

/** The name token of `extends Name` (the parser's location starts at the keyword). */
function nameOfExtends(extendsName: Identifier): Located {
  const { end } = extendsName.loc;
  const length = extendsName.value.length;
  return { loc: { start: { line: end.line, column: end.column - length, index: end.index - length }, end } };
}

/** Index of a method's first token: `oneway` or the return type. */
function firstTokenOfMethod(idl: ParsedIdl, fn: FunctionDefinition): number {
  const index = typeStartIndex(idl, fn.returnType);
  return fn.oneway ? previousSignificantIndex(idl.tokens, index) : index;
}
