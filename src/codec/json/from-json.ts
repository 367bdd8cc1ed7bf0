/**
 * JSON -> runtime values, following the JSON mapping (see index.ts). Errors are CodecErrors whose path locates
 * the offending spot in the JSON input: `.field`, `[index]`, `["key"]` or `[5]` for object-form maps, and
 * `[i][0]` / `[i][1]` for the key and value of a `[key, value]` pair.
 */
import { CodecError } from "../../errors.ts";
import { unionFieldCountError } from "../generated-support.ts";
import type { SchemaIndex } from "../../model/schema-index.ts";
import type { StructDef, TypeRef } from "../../model/schema.ts";
import { describeType } from "../dynamic/describe.ts";
import { fieldTable } from "../dynamic/field-table.ts";
import { checkNesting } from "../dynamic/nesting.ts";
import { setOwn } from "../dynamic/own-fields.ts";
import { asCodecError, invalidStructValue, invalidValue, prefixPath } from "../dynamic/value-errors.ts";
import { isJsonObject } from "./json-value.ts";
import { isObjectKeyType, isScalarType, scalarFromJson, scalarFromJsonKey } from "./json-scalars.ts";

/** Converts the JSON form of a value of `type` to its runtime value; throws CodecError with a path. */
export function valueFromJson(index: SchemaIndex, type: TypeRef, json: unknown): unknown {
  try {
    return fromJsonAt(index, type, json, 0);
  } catch (error) {
    throw asCodecError(error, "CODEC_INVALID_VALUE");
  }
}

/**
 * Converts the JSON form of a struct, union or exception. `null` fields count as absent; unknown field names,
 * a union without exactly one field, and an absent required field without default are errors (defaults are
 * not filled in: the encoder writes them).
 */
export function structFromJson(index: SchemaIndex, def: StructDef, json: unknown): Record<string, unknown> {
  try {
    return structFromJsonAt(index, def, json, 1);
  } catch (error) {
    throw asCodecError(error, "CODEC_INVALID_VALUE");
  }
}

function fromJsonAt(index: SchemaIndex, type: TypeRef, json: unknown, depth: number): unknown {
  if (isScalarType(type)) return scalarFromJson(index, type, json);
  switch (type.kind) {
    case "list":
      if (!Array.isArray(json)) throw invalidValue(type, json);
      return elementsFromJson(index, type.element, json, depth + 1);
    case "set":
      // Duplicates are accepted and collapse, as in any Set.
      if (!Array.isArray(json)) throw invalidValue(type, json);
      return new Set(elementsFromJson(index, type.element, json, depth + 1));
    case "map":
      return mapFromJson(index, type, json, depth + 1);
    case "struct":
      return structFromJsonAt(index, index.struct(type.name), json, depth + 1);
  }
}

function structFromJsonAt(index: SchemaIndex, def: StructDef, json: unknown, depth: number): Record<string, unknown> {
  checkNesting(depth);
  if (!isJsonObject(json)) throw invalidStructValue(def, json);
  const table = fieldTable(def);
  const values: unknown[] = new Array<unknown>(table.fields.length).fill(undefined);
  let count = 0;
  // Object.keys sees own keys only, so a JSON `"__proto__"` key is a field name like any other.
  for (const key of Object.keys(json)) {
    const field = table.byName.get(key);
    if (field === undefined) throw new CodecError("CODEC_INVALID_VALUE", `unknown field ${JSON.stringify(key)}`);
    const raw = json[key];
    if (raw === null || raw === undefined) continue;
    try {
      values[field.slot] = fromJsonAt(index, field.type, raw, depth);
    } catch (error) {
      throw prefixPath(error, field.name, "CODEC_INVALID_VALUE");
    }
    count++;
  }
  if (table.isUnion && count !== 1) throw unionFieldCountError(count);
  const result: Record<string, unknown> = {};
  for (const field of table.fields) {
    const value = values[field.slot];
    if (value !== undefined) setOwn(result, field.name, value, field.protoName);
    else if (field.required && field.defaultValue === undefined) {
      throw new CodecError("CODEC_MISSING_REQUIRED", "missing required field", field.name);
    }
  }
  return result;
}

function elementsFromJson(index: SchemaIndex, element: TypeRef, json: readonly unknown[], depth: number): unknown[] {
  checkNesting(depth);
  const result = new Array<unknown>(json.length);
  let position = 0;
  try {
    for (; position < json.length; position++) result[position] = fromJsonAt(index, element, json[position], depth);
  } catch (error) {
    throw prefixPath(error, `[${position}]`, "CODEC_INVALID_VALUE");
  }
  return result;
}

function mapFromJson(
  index: SchemaIndex,
  type: Extract<TypeRef, { kind: "map" }>,
  json: unknown,
  depth: number,
): Map<unknown, unknown> {
  checkNesting(depth);
  if (Array.isArray(json)) return pairsFromJson(index, type, json, depth);
  if (!isJsonObject(json)) throw invalidValue(type, json);
  const keyType = type.key;
  // Object form works for any key: scalars by their string spelling, struct and container keys as the JSON text
  // of their own mapping (`{"{\"x\":1}": …}`). Output uses pairs for those, which read more naturally.
  if (!isScalarType(keyType)) return jsonTextKeysFromJson(index, type, json, depth);
  // Valid integer keys are named like the encoder names them: `[5]`, not `["5"]`.
  const integerKeys = isObjectKeyType(keyType) && keyType.kind !== "string" && keyType.kind !== "enum";
  const map = new Map<unknown, unknown>();
  for (const text of Object.keys(json)) {
    let segment = `[${JSON.stringify(text)}]`;
    try {
      const key = scalarFromJsonKey(index, keyType, text);
      if (integerKeys) segment = `[${text}]`;
      map.set(key, fromJsonAt(index, type.value, json[text], depth));
    } catch (error) {
      throw prefixPath(error, segment, "CODEC_INVALID_VALUE");
    }
  }
  return map;
}

function jsonTextKeysFromJson(
  index: SchemaIndex,
  type: Extract<TypeRef, { kind: "map" }>,
  json: Readonly<Record<string, unknown>>,
  depth: number,
): Map<unknown, unknown> {
  const map = new Map<unknown, unknown>();
  for (const text of Object.keys(json)) {
    try {
      let keyJson: unknown;
      try {
        keyJson = JSON.parse(text) as unknown;
      } catch {
        throw invalidValue(`${describeType(type.key)} key as JSON text`, text);
      }
      map.set(fromJsonAt(index, type.key, keyJson, depth), fromJsonAt(index, type.value, json[text], depth));
    } catch (error) {
      throw prefixPath(error, `[${JSON.stringify(text)}]`, "CODEC_INVALID_VALUE");
    }
  }
  return map;
}

function pairsFromJson(
  index: SchemaIndex,
  type: Extract<TypeRef, { kind: "map" }>,
  json: readonly unknown[],
  depth: number,
): Map<unknown, unknown> {
  const map = new Map<unknown, unknown>();
  let position = 0;
  let part = "";
  try {
    for (; position < json.length; position++) {
      const pair = json[position];
      part = "";
      if (!Array.isArray(pair) || pair.length !== 2) throw invalidValue("[key, value] pair", pair);
      part = "[0]";
      const key = fromJsonAt(index, type.key, pair[0], depth);
      part = "[1]";
      map.set(key, fromJsonAt(index, type.value, pair[1], depth));
    }
  } catch (error) {
    throw prefixPath(error, `[${position}]${part}`, "CODEC_INVALID_VALUE");
  }
  return map;
}
