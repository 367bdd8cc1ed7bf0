import type { ConstValue, EnumDef, TypeRef } from "../model/schema.ts";
import { fitsInteger } from "./idl-literals.ts";

/** What coercion needs to know about named types. */
export interface NamedTypeInfo {
  /** The enum with this qualified name. */
  enumDef(qualifiedName: string): EnumDef;
  /** Field name -> field type of the struct, union or exception with this qualified name. */
  structFields(qualifiedName: string): ReadonlyMap<string, TypeRef>;
}

/** A failed coercion: `GEN_INVALID` for a type mismatch or range error, `GEN_UNRESOLVED` for an unknown field. */
export class CoercionError extends Error {
  /** The generator error code this maps to. */
  readonly code: "GEN_INVALID" | "GEN_UNRESOLVED" | "GEN_DUPLICATE";

  constructor(code: "GEN_INVALID" | "GEN_UNRESOLVED" | "GEN_DUPLICATE", message: string) {
    super(message);
    this.code = code;
  }
}

/** How a type is named in messages: `i32`, `list<string>`, `enum m.Color`, `struct m.Point`. */
export function describeType(type: TypeRef): string {
  if (type.kind === "list" || type.kind === "set") return `${type.kind}<${describeType(type.element)}>`;
  if (type.kind === "map") return `map<${describeType(type.key)}, ${describeType(type.value)}>`;
  if (type.kind === "enum" || type.kind === "struct") return `${type.kind} ${type.name}`;
  return type.kind;
}

/** How a value is named in messages. */
export function describeValue(value: ConstValue): string {
  switch (value.kind) {
    case "bool":
      return `bool ${value.value}`;
    case "int":
      return `integer ${value.value}`;
    case "double":
      return `double ${value.value}`;
    case "string":
      return "a string";
    case "list":
      return "a list";
    case "map":
      return "a map";
  }
}

/**
 * Converts an already-typed value (a literal or another constant's value) to `type`, as Apache Thrift allows:
 * int -> double, 0/1 and true/false between bool and integers, string <-> binary, list <-> set, string-keyed
 * map -> struct; checks integer ranges and enum membership. Throws {@link CoercionError}.
 */
export function coerceValue(value: ConstValue, type: TypeRef, info: NamedTypeInfo): ConstValue {
  const mismatch = (): CoercionError =>
    new CoercionError("GEN_INVALID", `expected ${describeType(type)}, found ${describeValue(value)}`);
  switch (type.kind) {
    case "bool":
      if (value.kind === "bool") return value;
      if (value.kind === "int" && (value.value === 0n || value.value === 1n)) {
        return { kind: "bool", value: value.value === 1n };
      }
      throw mismatch();
    case "i8":
    case "i16":
    case "i32":
    case "i64": {
      const int = value.kind === "bool" ? BigInt(value.value) : value.kind === "int" ? value.value : undefined;
      if (int === undefined) throw mismatch();
      if (!fitsInteger(int, type.kind)) {
        throw new CoercionError("GEN_INVALID", `integer ${int} is out of range for ${type.kind}`);
      }
      return { kind: "int", value: int };
    }
    case "double":
      if (value.kind === "double") return value;
      if (value.kind === "int") return { kind: "double", value: Number(value.value) };
      if (value.kind === "bool") return { kind: "double", value: value.value ? 1 : 0 };
      throw mismatch();
    case "string":
    case "binary":
      if (value.kind === "string") return value;
      throw mismatch();
    case "enum": {
      if (value.kind !== "int") throw mismatch();
      const def = info.enumDef(type.name);
      if (!def.values.some((member) => BigInt(member.value) === value.value)) {
        throw new CoercionError("GEN_INVALID", `${value.value} is not a value of enum ${type.name}`);
      }
      return value;
    }
    case "list":
    case "set":
      if (value.kind === "list") {
        return { kind: "list", elements: value.elements.map((element) => coerceValue(element, type.element, info)) };
      }
      if (value.kind === "map" && value.entries.length === 0) return { kind: "list", elements: [] };
      throw mismatch();
    case "map":
      if (value.kind === "map") {
        return {
          kind: "map",
          entries: value.entries.map(([k, v]) => [coerceValue(k, type.key, info), coerceValue(v, type.value, info)]),
        };
      }
      if (value.kind === "list" && value.elements.length === 0) return { kind: "map", entries: [] };
      throw mismatch();
    case "struct": {
      if (value.kind === "list" && value.elements.length === 0) return { kind: "map", entries: [] };
      if (value.kind !== "map") throw mismatch();
      const fields = info.structFields(type.name);
      const seen = new Set<string>();
      return {
        kind: "map",
        entries: value.entries.map(([k, v]) => {
          return [k, coerceValue(v, structFieldType(k, type.name, fields, seen), info)];
        }),
      };
    }
  }
}

/** Checks one key of a struct literal (a string naming a field not given before) and returns the field's type. */
export function structFieldType(
  key: ConstValue,
  structName: string,
  fields: ReadonlyMap<string, TypeRef>,
  seen: Set<string>,
): TypeRef {
  if (key.kind !== "string") {
    throw new CoercionError("GEN_INVALID", `keys of a ${structName} literal must be field names (strings)`);
  }
  const type = fields.get(key.value);
  if (type === undefined) {
    throw new CoercionError("GEN_UNRESOLVED", `struct ${structName} has no field named "${key.value}"`);
  }
  if (seen.has(key.value)) {
    throw new CoercionError("GEN_DUPLICATE", `field "${key.value}" is given twice in a ${structName} literal`);
  }
  seen.add(key.value);
  return type;
}
