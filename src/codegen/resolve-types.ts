import { SyntaxType } from "@creditkarma/thrift-parser";
import type { FieldType, FunctionType, Identifier } from "@creditkarma/thrift-parser";
import type { TypeRef } from "../model/schema.ts";
import type { Declaration, DeclarationOf, ParsedDocument, SchemaScope } from "./scope.ts";
import { errorAt } from "./source-location.ts";

/** Resolves IDL field types to {@link TypeRef}s: typedefs looked through (and recorded), names qualified. */
export class TypeResolver {
  private readonly scope: SchemaScope;
  private readonly typedefs = new Map<Declaration, TypeRef>();
  private readonly resolving = new Set<Declaration>();

  constructor(scope: SchemaScope) {
    this.scope = scope;
  }

  /** The resolved type of `type` as written in `document`. */
  resolve(document: ParsedDocument, type: FieldType): TypeRef {
    switch (type.type) {
      case SyntaxType.BoolKeyword:
        return { kind: "bool" };
      case SyntaxType.ByteKeyword:
      case SyntaxType.I8Keyword:
        return { kind: "i8" };
      case SyntaxType.I16Keyword:
        return { kind: "i16" };
      case SyntaxType.I32Keyword:
        return { kind: "i32" };
      case SyntaxType.I64Keyword:
        return { kind: "i64" };
      case SyntaxType.DoubleKeyword:
        return { kind: "double" };
      case SyntaxType.StringKeyword:
        return { kind: "string" };
      case SyntaxType.BinaryKeyword:
        return { kind: "binary" };
      case SyntaxType.ListType:
        return { kind: "list", element: this.resolve(document, type.valueType) };
      case SyntaxType.SetType:
        return { kind: "set", element: this.resolve(document, type.valueType) };
      case SyntaxType.MapType:
        return {
          kind: "map",
          key: this.resolve(document, type.keyType),
          value: this.resolve(document, type.valueType),
        };
      case SyntaxType.Identifier:
        return this.named(document, type);
    }
  }

  /** Like {@link resolve} for a method return type: `null` for `void`. */
  resolveReturn(document: ParsedDocument, type: FunctionType): TypeRef | null {
    return type.type === SyntaxType.VoidKeyword ? null : this.resolve(document, type);
  }

  /** Like {@link resolve} for a field, argument or exception type, which must not be `void`. */
  resolveField(document: ParsedDocument, type: FunctionType): TypeRef {
    if (type.type === SyntaxType.VoidKeyword)
      throw errorAt("GEN_INVALID", "a field cannot be void", document.idl, type);
    return this.resolve(document, type);
  }

  /** The type a typedef stands for (itself carrying `typedef` when the target is another typedef). */
  typedefTarget(declaration: DeclarationOf<"typedef">): TypeRef {
    const known = this.typedefs.get(declaration);
    if (known !== undefined) return known;
    const { idl } = declaration.document;
    if (this.resolving.has(declaration)) {
      throw errorAt("GEN_INVALID", `typedef ${declaration.qualifiedName} refers to itself`, idl, declaration.node.name);
    }
    this.resolving.add(declaration);
    try {
      const target = this.resolve(declaration.document, declaration.node.definitionType);
      this.typedefs.set(declaration, target);
      return target;
    } finally {
      this.resolving.delete(declaration);
    }
  }

  /** The declaration a type name written in `document` refers to, or a located `GEN_UNRESOLVED`. */
  declarationOf(document: ParsedDocument, name: Identifier): Declaration {
    const declaration = this.scope.lookup(document, name.value);
    if (declaration !== undefined) return declaration;
    throw errorAt(
      "GEN_UNRESOLVED",
      `unknown type "${name.value}"${this.hint(document, name.value)}`,
      document.idl,
      name,
    );
  }

  private named(document: ParsedDocument, name: Identifier): TypeRef {
    const declaration = this.declarationOf(document, name);
    switch (declaration.kind) {
      case "typedef":
        return { ...this.typedefTarget(declaration), typedef: declaration.qualifiedName };
      case "enum":
        return { kind: "enum", name: declaration.qualifiedName };
      case "struct":
        return { kind: "struct", name: declaration.qualifiedName };
      case "service":
      case "const":
        throw errorAt("GEN_INVALID", `"${name.value}" is a ${declaration.kind}, not a type`, document.idl, name);
    }
  }

  private hint(document: ParsedDocument, name: string): string {
    if (name === "uuid") return " (the uuid type is not supported)";
    const dot = name.indexOf(".");
    if (dot < 0) return "";
    const module = name.slice(0, dot);
    return this.scope.included(document, module) === undefined ? ` (module "${module}" is not included)` : "";
  }
}
