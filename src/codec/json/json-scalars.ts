/**
 * The JSON mapping of scalar types (base types and enums), both directions. i64 is a number while it is a safe
 * integer and a decimal string beyond; doubles use "NaN", "Infinity", "-Infinity"; binary is base64; enums
 * are names (unknown numbers stay numbers).
 */
import type { SchemaIndex } from "../../model/schema-index.ts";
import type { BaseTypeName, TypeRef } from "../../model/schema.ts";
import { I64_MAX, I64_MIN, isI64, isIntOf } from "../dynamic/integer-ranges.ts";
import { invalidValue } from "../dynamic/value-errors.ts";
import { decodeBase64, encodeBase64 } from "./base64.ts";
import { enumNames } from "./enum-names.ts";
import type { JsonValue } from "./json-value.ts";

/** A type whose values are not containers or structs. */
export type ScalarTypeRef = Extract<TypeRef, { readonly kind: BaseTypeName | "enum" }>;

/** How binary is named in messages, so the expected encoding is visible. */
const BINARY_EXPECTATION = "binary (base64)";
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);
/** Longest decimal i64 text: sign and 19 digits. Longer strings are rejected before BigInt parses them. */
const MAX_I64_DIGITS = 20;
const DECIMAL_INTEGER = /^-?(?:0|[1-9][0-9]*)$/;
const SPECIAL_DOUBLES: ReadonlyMap<string, number> = new Map([
  ["NaN", Number.NaN],
  ["Infinity", Number.POSITIVE_INFINITY],
  ["-Infinity", Number.NEGATIVE_INFINITY],
]);

/** Whether `type` is a scalar (handled by this file) rather than a container or struct. */
export function isScalarType(type: TypeRef): type is ScalarTypeRef {
  return type.kind !== "list" && type.kind !== "set" && type.kind !== "map" && type.kind !== "struct";
}

/** The runtime value of a scalar's JSON form; throws CODEC_INVALID_VALUE `expected <type>, got <json>`. */
export function scalarFromJson(index: SchemaIndex, type: ScalarTypeRef, json: unknown): unknown {
  switch (type.kind) {
    case "bool":
      if (typeof json === "boolean") return json;
      break;
    case "string":
      if (typeof json === "string") return json;
      break;
    case "i8":
    case "i16":
    case "i32":
      if (isIntOf(type.kind, json)) return json;
      break;
    case "i64": {
      const value = typeof json === "number" ? safeBigInt(json) : typeof json === "string" ? parseI64(json) : undefined;
      if (value !== undefined) return value;
      break;
    }
    case "double":
      if (typeof json === "number") return json;
      if (typeof json === "string" && SPECIAL_DOUBLES.has(json)) return SPECIAL_DOUBLES.get(json);
      break;
    case "binary": {
      const bytes = typeof json === "string" ? decodeBase64(json) : undefined;
      if (bytes === undefined) throw invalidValue(BINARY_EXPECTATION, json);
      return bytes;
    }
    case "enum":
      // A number is accepted even when unknown (a newer peer may know it); a name must be a member.
      if (isIntOf("i32", json)) return json;
      if (typeof json === "string") {
        const value = enumNames(index, type.name).byName.get(json);
        if (value !== undefined) return value;
      }
      break;
  }
  throw invalidValue(type, json);
}

/** The JSON form of a scalar runtime value; throws CODEC_INVALID_VALUE for a value of the wrong JS type. */
export function scalarToJson(index: SchemaIndex, type: ScalarTypeRef, value: unknown): JsonValue {
  switch (type.kind) {
    case "bool":
      if (typeof value === "boolean") return value;
      break;
    case "string":
      if (typeof value === "string") return value;
      break;
    case "i8":
    case "i16":
    case "i32":
      if (isIntOf(type.kind, value)) return value;
      break;
    case "i64":
      if (isI64(value)) return value >= -MAX_SAFE && value <= MAX_SAFE ? Number(value) : value.toString();
      break;
    case "double":
      if (typeof value === "number") return Number.isFinite(value) ? value : String(value);
      break;
    case "binary":
      if (value instanceof Uint8Array) return encodeBase64(value);
      break;
    case "enum":
      if (isIntOf("i32", value)) return enumNames(index, type.name).byValue.get(value) ?? value;
      break;
  }
  throw invalidValue(type, value);
}

/**
 * Parses a map key of an object-form JSON map. Integer keys are strict decimal integers (no sign `+`, no
 * leading zeros, no `-0`), enum keys names or such integers, bool keys `true`/`false`, double keys JSON number
 * text or the special names, binary keys base64. Throws `expected <type>, got "<key>"`.
 */
export function scalarFromJsonKey(index: SchemaIndex, type: ScalarTypeRef, key: string): unknown {
  switch (type.kind) {
    case "string":
      return key;
    case "bool":
      if (key === "true" || key === "false") return key === "true";
      break;
    case "i8":
    case "i16":
    case "i32":
    case "enum": {
      const named = type.kind === "enum" ? enumNames(index, type.name).byName.get(key) : undefined;
      if (named !== undefined) return named;
      const value = parseI64(key);
      const number = value === undefined ? undefined : Number(value);
      if (isIntOf(type.kind === "enum" ? "i32" : type.kind, number)) return number;
      break;
    }
    case "i64": {
      const value = parseI64(key);
      if (value !== undefined) return value;
      break;
    }
    case "double": {
      const special = SPECIAL_DOUBLES.get(key);
      if (special !== undefined) return special;
      if (/^-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?$/.test(key)) return Number(key);
      break;
    }
    case "binary":
      return scalarFromJson(index, type, key);
  }
  throw invalidValue(type, key);
}

const OBJECT_KEY_KINDS: ReadonlySet<TypeRef["kind"]> = new Set(["string", "enum", "i8", "i16", "i32", "i64"]);

/** Whether maps keyed by `type` are JSON objects (otherwise arrays of `[key, value]` pairs). */
export function isObjectKeyType(type: TypeRef): type is ScalarTypeRef {
  return OBJECT_KEY_KINDS.has(type.kind);
}

/** The object key of a map key whose type passes {@link isObjectKeyType}: strings, enum names, decimals. */
export function scalarToJsonKey(index: SchemaIndex, type: ScalarTypeRef, key: unknown): string {
  const json = scalarToJson(index, type, key);
  return typeof json === "string" ? json : JSON.stringify(json);
}

function safeBigInt(value: number): bigint | undefined {
  return Number.isSafeInteger(value) ? BigInt(value) : undefined;
}

/** A strict decimal integer string within the i64 range, as a bigint. */
function parseI64(text: string): bigint | undefined {
  if (text.length > MAX_I64_DIGITS || !DECIMAL_INTEGER.test(text)) return undefined;
  const value = BigInt(text);
  // "-0" passes the pattern; reject it so every accepted key has one spelling.
  if (value === 0n && text !== "0") return undefined;
  return value >= I64_MIN && value <= I64_MAX ? value : undefined;
}
