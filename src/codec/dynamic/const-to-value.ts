/**
 * Converts resolved IDL constants (field defaults) into runtime values, exactly as generated code's literals
 * build them. Each call builds fresh containers and structs, so callers may mutate what they get.
 */
import type { SchemaIndex } from "../../model/schema-index.ts";
import type { ConstValue, TypeRef } from "../../model/schema.ts";
import { setOwn } from "./own-fields.ts";

const utf8 = new TextEncoder();

/** The runtime value of constant `value` of type `type`; throws a plain Error for a malformed constant. */
export function constToValue(index: SchemaIndex, type: TypeRef, value: ConstValue): unknown {
  switch (type.kind) {
    case "bool":
      return value.kind === "int" ? value.value !== 0n : expect(value, "bool").value;
    case "i8":
    case "i16":
    case "i32":
    case "enum":
      return Number(intOf(value));
    case "i64":
      return intOf(value);
    case "double":
      return value.kind === "int" ? Number(value.value) : expect(value, "double").value;
    case "string":
      return expect(value, "string").value;
    case "binary":
      // IDL binary constants are string literals; generated code writes their UTF-8 bytes too.
      return utf8.encode(expect(value, "string").value);
    case "list":
      return listElements(index, type.element, value);
    case "set":
      return new Set(listElements(index, type.element, value));
    case "map":
      return new Map(
        mapEntries(value).map(([k, v]) => [constToValue(index, type.key, k), constToValue(index, type.value, v)]),
      );
    case "struct":
      return structLiteral(index, type.name, value);
  }
}

function structLiteral(index: SchemaIndex, qualifiedName: string, value: ConstValue): Record<string, unknown> {
  const def = index.struct(qualifiedName);
  const result: Record<string, unknown> = {};
  // Like Apache's generated constants, only the fields the literal names are set (no nested defaults).
  for (const [key, item] of mapEntries(value)) {
    const name = expect(key, "string").value;
    const field = def.fields.find((candidate) => candidate.name === name);
    if (!field) throw new Error(`${qualifiedName} has no field ${name}`);
    setOwn(result, name, constToValue(index, field.type, item));
  }
  return result;
}

function listElements(index: SchemaIndex, element: TypeRef, value: ConstValue): unknown[] {
  // The resolver turns `{}` into an empty list where a list is expected, but accept either spelling of empty.
  if (value.kind === "map" && value.entries.length === 0) return [];
  return expect(value, "list").elements.map((item) => constToValue(index, element, item));
}

function mapEntries(value: ConstValue): readonly (readonly [ConstValue, ConstValue])[] {
  if (value.kind === "list" && value.elements.length === 0) return [];
  return expect(value, "map").entries;
}

function intOf(value: ConstValue): bigint {
  if (value.kind === "bool") return value.value ? 1n : 0n;
  return expect(value, "int").value;
}

function expect<K extends ConstValue["kind"]>(value: ConstValue, kind: K): Extract<ConstValue, { kind: K }> {
  if (value.kind !== kind) throw new Error(`expected a ${kind} constant, got ${value.kind}`);
  return value as Extract<ConstValue, { kind: K }>;
}
