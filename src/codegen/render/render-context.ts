import type { SchemaIndex } from "../../model/schema-index.ts";
import type { SchemaDocument, TypeRef } from "../../model/schema.ts";
import { moduleIdentifier, typeIdentifier } from "./typescript-names.ts";

/** What every renderer of one document needs: the document, the schema around it, and name resolution. */
export class RenderContext {
  readonly document: SchemaDocument;
  readonly index: SchemaIndex;

  constructor(document: SchemaDocument, index: SchemaIndex) {
    this.document = document;
    this.index = index;
  }

  /** How this document refers to a definition by qualified name: bare locally, `$module.Name` if included. */
  reference(qualifiedName: string): string {
    const separator = qualifiedName.lastIndexOf(".");
    const module = qualifiedName.slice(0, separator);
    const name = typeIdentifier(qualifiedName.slice(separator + 1));
    return module === this.document.module ? name : `${moduleIdentifier(module)}.${name}`;
  }

  /** The TypeScript type of values of `type` (typedef names are used where the IDL used them). */
  tsType(type: TypeRef): string {
    if (type.typedef !== undefined) return this.reference(type.typedef);
    return this.structuralType(type);
  }

  /** Like {@link tsType} but looks through a typedef at the top level. */
  structuralType(type: TypeRef): string {
    switch (type.kind) {
      case "bool":
        return "boolean";
      case "i8":
      case "i16":
      case "i32":
      case "double":
        return "number";
      case "i64":
        return "bigint";
      case "string":
        return "string";
      case "binary":
        return "Uint8Array";
      case "list": {
        const element = this.tsType(type.element);
        return /^[A-Za-z0-9_$.]+$/.test(element) ? `${element}[]` : `Array<${element}>`;
      }
      case "set":
        return `Set<${this.tsType(type.element)}>`;
      case "map":
        return `Map<${this.tsType(type.key)}, ${this.tsType(type.value)}>`;
      case "enum":
      case "struct":
        return this.reference(type.name);
    }
  }
}
