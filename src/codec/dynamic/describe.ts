/**
 * How types and values are named in error messages. The `expected <type>, got <value>` form is part of the
 * contract (the CLI prints it as is), so both the dynamic codec and the JSON mapping build messages here.
 */
import type { StructDef, TypeRef } from "../../model/schema.ts";

/** Longest value preview in a message; longer ones end with `…`. */
const PREVIEW_LENGTH = 40;

/** How a type is named in messages: `i32`, `list<string>`, `map<i32, enum m.Color>`, `struct m.Point`. */
export function describeType(type: TypeRef): string {
  if (type.kind === "list" || type.kind === "set") return `${type.kind}<${describeType(type.element)}>`;
  if (type.kind === "map") return `map<${describeType(type.key)}, ${describeType(type.value)}>`;
  if (type.kind === "enum" || type.kind === "struct") return `${type.kind} ${type.name}`;
  return type.kind;
}

/** How a struct, union or exception is named in messages: `union m.Choice`. */
export function describeStruct(def: StructDef): string {
  return `${def.kind} ${def.qualifiedName}`;
}

/**
 * A short preview of a value: JSON.stringify for JSON-like values (what the user typed, for JSON input),
 * readable stand-ins for runtime-only values (`5n`, `Map(2)`, `Uint8Array(3)`, `undefined`), truncated.
 */
export function previewValue(value: unknown): string {
  const text = fullPreview(value);
  return text.length > PREVIEW_LENGTH ? `${text.slice(0, PREVIEW_LENGTH - 1)}…` : text;
}

function fullPreview(value: unknown): string {
  switch (typeof value) {
    case "undefined":
      return "undefined";
    case "bigint":
      return `${value}n`;
    case "number":
      // JSON.stringify would print NaN and Infinity as null and -0 as 0, hiding the very problem.
      return Object.is(value, -0) ? "-0" : String(value);
    case "string":
      // Cut first: a megabyte string must not be escaped in full just to show 40 characters of it.
      return JSON.stringify(value.length > PREVIEW_LENGTH * 2 ? value.slice(0, PREVIEW_LENGTH * 2) : value);
    case "boolean":
      return String(value);
    case "symbol":
      return value.toString();
    case "function":
      return "a function";
    case "object":
      return objectPreview(value);
  }
}

function objectPreview(value: object | null): string {
  if (value === null) return "null";
  const special = runtimeObjectName(value);
  if (special !== undefined) return special;
  try {
    const text = JSON.stringify(value, (_key, item: unknown) => jsonSafe(item));
    return typeof text === "string" ? text : Object.prototype.toString.call(value);
  } catch {
    // Cycles, throwing toJSON methods or getters: fall back to the class tag.
    return Object.prototype.toString.call(value);
  }
}

function jsonSafe(item: unknown): unknown {
  if (typeof item === "bigint") return `${item}n`;
  if (typeof item === "object" && item !== null) return runtimeObjectName(item) ?? item;
  return item;
}

function runtimeObjectName(value: object): string | undefined {
  if (value instanceof Uint8Array) return `${value.constructor.name}(${value.length})`;
  if (value instanceof Map) return `Map(${value.size})`;
  if (value instanceof Set) return `Set(${value.size})`;
  return undefined;
}
