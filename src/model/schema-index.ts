import type { EnumDef, MethodDef, Schema, ServiceDef, StructDef } from "./schema.ts";

/** Fast lookups by qualified name (`module.Name`) over a {@link Schema}. */
export class SchemaIndex {
  readonly schema: Schema;
  private readonly structs = new Map<string, StructDef>();
  private readonly enums = new Map<string, EnumDef>();
  private readonly services = new Map<string, ServiceDef>();

  constructor(schema: Schema) {
    this.schema = schema;
    for (const document of schema.documents.values()) {
      for (const def of document.structs) this.structs.set(def.qualifiedName, def);
      for (const def of document.enums) this.enums.set(def.qualifiedName, def);
      for (const def of document.services) this.services.set(def.qualifiedName, def);
    }
  }

  /** The struct, union or exception with this qualified name, or undefined. */
  findStruct(qualifiedName: string): StructDef | undefined {
    return this.structs.get(qualifiedName);
  }

  /** The enum with this qualified name, or undefined. */
  findEnum(qualifiedName: string): EnumDef | undefined {
    return this.enums.get(qualifiedName);
  }

  /** The service with this qualified name, or undefined. */
  findService(qualifiedName: string): ServiceDef | undefined {
    return this.services.get(qualifiedName);
  }

  /** Like {@link findStruct} but throws when absent: for references the resolver has already checked. */
  struct(qualifiedName: string): StructDef {
    const def = this.structs.get(qualifiedName);
    if (!def) throw new Error(`schema has no struct ${qualifiedName}`);
    return def;
  }

  /** Like {@link findEnum} but throws when absent: for references the resolver has already checked. */
  enum(qualifiedName: string): EnumDef {
    const def = this.enums.get(qualifiedName);
    if (!def) throw new Error(`schema has no enum ${qualifiedName}`);
    return def;
  }

  /**
   * Resolves a user-facing name as the CLI accepts it: `Name` in the first root document, or
   * `module.Name` for any document (included ones too).
   */
  qualify(name: string): string {
    if (name.includes(".")) return name;
    const root = this.schema.roots[0];
    return root === undefined ? name : `${root}.${name}`;
  }

  /** Every method a service answers, its own first, then inherited ones through `extends`. */
  allMethods(service: ServiceDef): readonly MethodDef[] {
    const methods: MethodDef[] = [];
    const seen = new Set<string>();
    let current: ServiceDef | undefined = service;
    while (current) {
      for (const method of current.methods) {
        if (!seen.has(method.name)) {
          seen.add(method.name);
          methods.push(method);
        }
      }
      current = current.extends === undefined ? undefined : this.services.get(current.extends);
    }
    return methods;
  }
}
