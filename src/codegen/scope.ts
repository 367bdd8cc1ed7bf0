import { SyntaxType } from "@creditkarma/thrift-parser";
import type {
  ConstDefinition,
  EnumDefinition,
  ExceptionDefinition,
  Identifier,
  ServiceDefinition,
  StructDefinition,
  TypedefDefinition,
  UnionDefinition,
} from "@creditkarma/thrift-parser";
import { GeneratorError } from "../errors.ts";
import type { ParsedIdl } from "./parse-file.ts";
import { errorAt } from "./source-location.ts";

/** One parsed IDL file with its module name and the modules it includes, as the loader resolved them. */
export interface ParsedDocument {
  /** The file's base name without `.thrift`. */
  readonly module: string;
  readonly idl: ParsedIdl;
  /** Module names of the directly included documents, in include order. */
  readonly includes: readonly string[];
}

/** A struct, union or exception node. */
export type StructNode = StructDefinition | UnionDefinition | ExceptionDefinition;

interface DeclarationCommon {
  readonly document: ParsedDocument;
  readonly name: string;
  /** `module.Name`. */
  readonly qualifiedName: string;
}

/** A top-level definition of a document, by kind. */
export type Declaration = DeclarationCommon &
  (
    | { readonly kind: "typedef"; readonly node: TypedefDefinition }
    | { readonly kind: "enum"; readonly node: EnumDefinition }
    | { readonly kind: "struct"; readonly node: StructNode }
    | { readonly kind: "service"; readonly node: ServiceDefinition }
    | { readonly kind: "const"; readonly node: ConstDefinition }
  );

/** A declaration of one kind. */
export type DeclarationOf<K extends Declaration["kind"]> = Extract<Declaration, { kind: K }>;

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Throws `GEN_INVALID` unless `name` is a plain identifier (Apache: "Identifier a.b can't have a dot"). */
export function checkDefinitionName(idl: ParsedIdl, name: Identifier): void {
  if (!NAME.test(name.value)) {
    throw errorAt("GEN_INVALID", `name "${name.value}" must be a plain identifier without dots`, idl, name);
  }
}

/** All top-level declarations of a set of documents, and name lookup across includes. */
export class SchemaScope {
  /** The documents, in the order given. */
  readonly documents: readonly ParsedDocument[];
  private readonly modules = new Map<string, ParsedDocument>();
  private readonly locals = new Map<ParsedDocument, Map<string, Declaration>>();
  private readonly qualified = new Map<string, Declaration>();

  constructor(documents: readonly ParsedDocument[]) {
    this.documents = documents;
    for (const document of documents) {
      if (this.modules.has(document.module)) {
        throw new GeneratorError("GEN_DUPLICATE", `module "${document.module}" is defined twice`);
      }
      this.modules.set(document.module, document);
    }
    for (const document of documents) {
      for (const module of document.includes) {
        if (!this.modules.has(module)) {
          throw new GeneratorError("GEN_UNRESOLVED", `${document.idl.file} includes unknown module "${module}"`);
        }
      }
      this.locals.set(document, this.collect(document));
    }
  }

  /** Every declaration of `document`, in source order. */
  declarationsOf(document: ParsedDocument): Declaration[] {
    return [...(this.locals.get(document)?.values() ?? [])];
  }

  /** The declaration named `name` in `document` itself. */
  local(document: ParsedDocument, name: string): Declaration | undefined {
    return this.locals.get(document)?.get(name);
  }

  /** The document `module` if `from` includes it directly. */
  included(from: ParsedDocument, module: string): ParsedDocument | undefined {
    return from.includes.includes(module) ? this.modules.get(module) : undefined;
  }

  /** Resolves `Name` (local) or `module.Name` (a directly included module) as written in `from`. */
  lookup(from: ParsedDocument, name: string): Declaration | undefined {
    const parts = name.split(".");
    if (parts.length === 1) return this.local(from, name);
    if (parts.length !== 2 || parts[0] === undefined || parts[1] === undefined) return undefined;
    const target = this.included(from, parts[0]);
    return target === undefined ? undefined : this.local(target, parts[1]);
  }

  /** The declaration with this qualified name, anywhere. */
  byQualifiedName(qualifiedName: string): Declaration | undefined {
    return this.qualified.get(qualifiedName);
  }

  private collect(document: ParsedDocument): Map<string, Declaration> {
    const declarations = new Map<string, Declaration>();
    const { idl } = document;
    for (const node of idl.document.body) {
      let declaration: Declaration;
      const common = (name: Identifier): DeclarationCommon => {
        checkDefinitionName(idl, name);
        return { document, name: name.value, qualifiedName: `${document.module}.${name.value}` };
      };
      switch (node.type) {
        case SyntaxType.NamespaceDefinition:
        case SyntaxType.IncludeDefinition:
        case SyntaxType.CppIncludeDefinition:
          continue;
        case SyntaxType.TypedefDefinition:
          declaration = { ...common(node.name), kind: "typedef", node };
          break;
        case SyntaxType.EnumDefinition:
          declaration = { ...common(node.name), kind: "enum", node };
          break;
        case SyntaxType.StructDefinition:
        case SyntaxType.UnionDefinition:
        case SyntaxType.ExceptionDefinition:
          declaration = { ...common(node.name), kind: "struct", node };
          break;
        case SyntaxType.ServiceDefinition:
          declaration = { ...common(node.name), kind: "service", node };
          break;
        case SyntaxType.ConstDefinition:
          declaration = { ...common(node.name), kind: "const", node };
          break;
      }
      const previous = declarations.get(declaration.name);
      if (previous !== undefined) {
        const where = `${previous.node.name.loc.start.line}:${previous.node.name.loc.start.column}`;
        throw errorAt("GEN_DUPLICATE", `"${declaration.name}" is already defined at ${where}`, idl, node.name);
      }
      declarations.set(declaration.name, declaration);
      this.qualified.set(declaration.qualifiedName, declaration);
    }
    return declarations;
  }
}
