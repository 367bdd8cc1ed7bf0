/**
 * Runtime values -> JSON, following the JSON mapping (see index.ts). Values are validated on the way (a value
 * that cannot be encoded has no JSON form either); errors carry the same paths the encoder reports.
 * Requiredness and union field counts are not checked here: the output shows what the value holds.
 */
import type { SchemaIndex } from "../../model/schema-index.ts";
import type { StructDef, TypeRef } from "../../model/schema.ts";
import { mapKeySegment } from "../codec-error-boundary.ts";
import { fieldTable } from "../dynamic/field-table.ts";
import { checkNesting } from "../dynamic/nesting.ts";
import { readField, setOwn } from "../dynamic/own-fields.ts";
import { asCodecError, invalidStructValue, invalidValue, prefixPath } from "../dynamic/value-errors.ts";
import { isJsonObject, type JsonObject, type JsonValue } from "./json-value.ts";
import { isObjectKeyType, isScalarType, scalarToJson, scalarToJsonKey } from "./json-scalars.ts";

/** Converts a runtime value of `type` to its JSON form; throws CodecError with a path for an invalid value. */
export function valueToJson(index: SchemaIndex, type: TypeRef, value: unknown): JsonValue {
  try {
    return toJsonAt(index, type, value, 0);
  } catch (error) {
    throw asCodecError(error, "CODEC_INVALID_VALUE");
  }
}

/** Converts a struct, union or exception to a JSON object, fields in declaration order, unset ones omitted. */
export function structToJson(index: SchemaIndex, def: StructDef, value: unknown): JsonObject {
  try {
    return structToJsonAt(index, def, value, 1);
  } catch (error) {
    throw asCodecError(error, "CODEC_INVALID_VALUE");
  }
}

function toJsonAt(index: SchemaIndex, type: TypeRef, value: unknown, depth: number): JsonValue {
  if (isScalarType(type)) return scalarToJson(index, type, value);
  switch (type.kind) {
    case "list":
      if (!Array.isArray(value)) throw invalidValue(type, value);
      return elementsToJson(index, type.element, value, depth + 1);
    case "set":
      if (!(value instanceof Set)) throw invalidValue(type, value);
      return elementsToJson(index, type.element, value, depth + 1);
    case "map":
      if (!(value instanceof Map)) throw invalidValue(type, value);
      return mapToJson(index, type.key, type.value, value, depth + 1);
    case "struct":
      return structToJsonAt(index, index.struct(type.name), value, depth + 1);
  }
}

function structToJsonAt(index: SchemaIndex, def: StructDef, value: unknown, depth: number): JsonObject {
  checkNesting(depth);
  if (!isJsonObject(value)) throw invalidStructValue(def, value);
  const result: JsonObject = {};
  for (const field of fieldTable(def).fields) {
    const fieldValue = readField(value, field.name, field.protoName);
    if (fieldValue === undefined || fieldValue === null) continue;
    try {
      setOwn(result, field.name, toJsonAt(index, field.type, fieldValue, depth), field.protoName);
    } catch (error) {
      throw prefixPath(error, field.name, "CODEC_INVALID_VALUE");
    }
  }
  return result;
}

function elementsToJson(index: SchemaIndex, element: TypeRef, items: Iterable<unknown>, depth: number): JsonValue[] {
  checkNesting(depth);
  const result: JsonValue[] = [];
  try {
    // Indexed for arrays so that holes are seen (and rejected) as undefined elements.
    if (Array.isArray(items)) {
      for (let position = 0; position < items.length; position++) {
        result.push(toJsonAt(index, element, items[position], depth));
      }
    } else {
      for (const item of items) result.push(toJsonAt(index, element, item, depth));
    }
  } catch (error) {
    throw prefixPath(error, `[${result.length}]`, "CODEC_INVALID_VALUE");
  }
  return result;
}

function mapToJson(
  index: SchemaIndex,
  keyType: TypeRef,
  valueType: TypeRef,
  map: ReadonlyMap<unknown, unknown>,
  depth: number,
): JsonValue {
  checkNesting(depth);
  const asObject = isObjectKeyType(keyType);
  const object: JsonObject = {};
  const pairs: JsonValue[] = [];
  let current: unknown = undefined;
  try {
    for (const [key, item] of map) {
      current = key;
      if (asObject) {
        // setOwn, not assignment: a string key "__proto__" is data.
        setOwn(object, scalarToJsonKey(index, keyType, key), toJsonAt(index, valueType, item, depth));
      } else {
        pairs.push([toJsonAt(index, keyType, key, depth), toJsonAt(index, valueType, item, depth)]);
      }
    }
  } catch (error) {
    throw prefixPath(error, mapKeySegment(current), "CODEC_INVALID_VALUE");
  }
  return asObject ? object : pairs;
}
