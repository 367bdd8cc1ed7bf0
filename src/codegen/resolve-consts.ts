import { SyntaxType } from "@creditkarma/thrift-parser";
import type { ConstValue as AstConstValue, Identifier } from "@creditkarma/thrift-parser";
import type { ConstDef, ConstValue, EnumDef, TypeRef } from "../model/schema.ts";
import { CoercionError, coerceValue, describeType, structFieldType } from "./const-coercion.ts";
import type { NamedTypeInfo } from "./const-coercion.ts";
import { docCommentAt } from "./doc-comments.ts";
import { fitsInteger, parseDoubleLiteral, parseIntegerLiteral } from "./idl-literals.ts";
import type { ParsedIdl } from "./parse-file.ts";
import type { EnumResolver } from "./resolve-enums.ts";
import type { TypeResolver } from "./resolve-types.ts";
import type { DeclarationOf, ParsedDocument, SchemaScope } from "./scope.ts";
import { errorAt, sourceLocation } from "./source-location.ts";
import type { Located } from "./source-location.ts";
import { previousSignificantIndex, tokenIndexAt } from "./tokens.ts";

/** A constant or enum value an identifier in a value position refers to. */
interface NamedValue {
  readonly value: ConstValue;
  /** Set when the identifier named an enum member: the enum's qualified name. */
  readonly enumName?: string;
}

/** Resolves constant values (of `const` definitions and field defaults) against their declared types. */
export class ConstResolver implements NamedTypeInfo {
  private readonly scope: SchemaScope;
  private readonly types: TypeResolver;
  private readonly enums: EnumResolver;
  private readonly consts = new Map<DeclarationOf<"const">, ConstDef>();
  private readonly resolving = new Set<DeclarationOf<"const">>();
  private readonly fieldTypes = new Map<string, ReadonlyMap<string, TypeRef>>();

  constructor(scope: SchemaScope, types: TypeResolver, enums: EnumResolver) {
    this.scope = scope;
    this.types = types;
    this.enums = enums;
  }

  /** The resolved constant of a declaration (memoized; circular references are `GEN_INVALID`). */
  constDef(declaration: DeclarationOf<"const">): ConstDef {
    const known = this.consts.get(declaration);
    if (known !== undefined) return known;
    const { node, document } = declaration;
    this.resolving.add(declaration);
    try {
      const type = this.types.resolve(document, node.fieldType);
      const value = this.value(document, node.initializer, type);
      const doc = docCommentAt(document.idl, node.loc.start.index);
      const def: ConstDef = {
        name: declaration.name,
        qualifiedName: declaration.qualifiedName,
        type,
        value,
        ...(doc === undefined ? {} : { doc }),
        location: sourceLocation(document.idl, node.name.loc.start),
      };
      this.consts.set(declaration, def);
      return def;
    } finally {
      this.resolving.delete(declaration);
    }
  }

  /** The value of the IDL value `node`, written in `document`, checked against and converted to `type`. */
  value(document: ParsedDocument, node: AstConstValue, type: TypeRef): ConstValue {
    const { idl } = document;
    const coerce = (value: ConstValue, where: Located): ConstValue => this.coerceAt(value, type, idl, where);
    switch (node.type) {
      case SyntaxType.Identifier: {
        const named = this.namedValue(document, node);
        if (type.kind === "enum" && named.enumName !== undefined && named.enumName !== type.name) {
          const detail = `${node.value} is a value of enum ${named.enumName}, not of ${type.name}`;
          throw errorAt("GEN_INVALID", detail, idl, node);
        }
        return coerce(named.value, node);
      }
      case SyntaxType.StringLiteral:
        return coerce({ kind: "string", value: node.value }, node);
      case SyntaxType.BooleanLiteral:
        return coerce({ kind: "bool", value: node.value }, node);
      case SyntaxType.IntConstant: {
        const value = parseIntegerLiteral(node.value.value);
        if (!fitsInteger(value, "i64")) {
          throw errorAt("GEN_INVALID", `integer literal ${node.value.value} does not fit in 64 bits`, idl, node);
        }
        return coerce({ kind: "int", value }, node);
      }
      case SyntaxType.DoubleConstant: {
        const value = parseDoubleLiteral(node.value.value);
        if (!Number.isFinite(value)) {
          throw errorAt("GEN_INVALID", `double literal ${node.value.value} is out of range`, idl, node);
        }
        return coerce({ kind: "double", value }, node);
      }
      case SyntaxType.ConstList: {
        if (type.kind === "list" || type.kind === "set") {
          const element = type.element;
          return { kind: "list", elements: node.elements.map((item) => this.value(document, item, element)) };
        }
        if (node.elements.length === 0) return coerce({ kind: "list", elements: [] }, openingBracket(idl, node));
        throw errorAt("GEN_INVALID", `expected ${describeType(type)}, found a list`, idl, openingBracket(idl, node));
      }
      case SyntaxType.ConstMap: {
        if (type.kind === "map") {
          const { key, value } = type;
          return {
            kind: "map",
            entries: node.properties.map((p) => [
              this.value(document, p.name, key),
              this.value(document, p.initializer, value),
            ]),
          };
        }
        if (type.kind === "struct") {
          const fields = this.structFields(type.name);
          const seen = new Set<string>();
          return {
            kind: "map",
            entries: node.properties.map((p) => {
              const key = this.value(document, p.name, { kind: "string" });
              const fieldType = this.attempt(() => structFieldType(key, type.name, fields, seen), idl, p.name);
              return [key, this.value(document, p.initializer, fieldType)];
            }),
          };
        }
        if (node.properties.length === 0) return coerce({ kind: "map", entries: [] }, openingBracket(idl, node));
        throw errorAt("GEN_INVALID", `expected ${describeType(type)}, found a map`, idl, openingBracket(idl, node));
      }
    }
  }

  /** {@inheritDoc NamedTypeInfo.enumDef} */
  enumDef(qualifiedName: string): EnumDef {
    const declaration = this.scope.byQualifiedName(qualifiedName);
    if (declaration?.kind !== "enum") throw new Error(`no enum ${qualifiedName}`);
    return this.enums.enumDef(declaration);
  }

  /** {@inheritDoc NamedTypeInfo.structFields} */
  structFields(qualifiedName: string): ReadonlyMap<string, TypeRef> {
    const known = this.fieldTypes.get(qualifiedName);
    if (known !== undefined) return known;
    const declaration = this.scope.byQualifiedName(qualifiedName);
    if (declaration?.kind !== "struct") throw new Error(`no struct ${qualifiedName}`);
    const { document, node } = declaration;
    const fields = new Map(node.fields.map((f) => [f.name.value, this.types.resolveField(document, f.fieldType)]));
    this.fieldTypes.set(qualifiedName, fields);
    return fields;
  }

  private coerceAt(value: ConstValue, type: TypeRef, idl: ParsedIdl, where: Located): ConstValue {
    return this.attempt(() => coerceValue(value, type, this), idl, where);
  }

  private attempt<T>(action: () => T, idl: ParsedIdl, where: Located): T {
    try {
      return action();
    } catch (error) {
      if (error instanceof CoercionError) throw errorAt(error.code, error.message, idl, where);
      throw error;
    }
  }

  /** Resolves `CONST`, `module.CONST`, `Enum.MEMBER` or `module.Enum.MEMBER` as written in `document`. */
  private namedValue(document: ParsedDocument, id: Identifier): NamedValue {
    const { idl } = document;
    const parts = id.value.split(".");
    const [first = "", second = "", third = ""] = parts;
    const owner =
      parts.length === 2
        ? this.scope.local(document, first)
        : parts.length === 3
          ? this.scope.lookup(document, `${first}.${second}`)
          : undefined;
    if (owner?.kind === "enum") {
      const member = parts.length === 2 ? second : third;
      const def = this.enums.enumDef(owner);
      const found = def.values.find((value) => value.name === member);
      if (found === undefined) {
        throw errorAt("GEN_UNRESOLVED", `enum ${def.qualifiedName} has no value "${member}"`, idl, id);
      }
      return { value: { kind: "int", value: BigInt(found.value) }, enumName: def.qualifiedName };
    }
    const declaration = this.scope.lookup(document, id.value);
    if (declaration === undefined) {
      throw errorAt("GEN_UNRESOLVED", `unknown constant "${id.value}"${this.hint(document, id.value)}`, idl, id);
    }
    if (declaration.kind !== "const") {
      throw errorAt("GEN_INVALID", `"${id.value}" is a ${declaration.kind}, not a constant`, idl, id);
    }
    if (this.resolving.has(declaration)) {
      throw errorAt("GEN_INVALID", `constant ${declaration.qualifiedName} refers to itself`, idl, id);
    }
    return { value: this.constDef(declaration).value };
  }

  private hint(document: ParsedDocument, name: string): string {
    if (name.includes(".")) return "";
    for (const declaration of this.scope.declarationsOf(document)) {
      if (declaration.kind === "enum" && declaration.node.members.some((member) => member.name.value === name)) {
        return ` (enum values must be qualified: ${declaration.name}.${name})`;
      }
    }
    return "";
  }
}

/** The `[` or `{` of a list or map literal (the parser locates those at their first element). */
function openingBracket(idl: ParsedIdl, node: Located): Located {
  const index = previousSignificantIndex(idl.tokens, tokenIndexAt(idl.tokens, node.loc.start.index));
  return idl.tokens[index] ?? node;
}
