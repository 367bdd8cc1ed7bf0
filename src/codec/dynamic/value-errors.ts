/** The errors the dynamic codec and the JSON mapping raise, and how they gain a field path on the way out. */
import { CodecError, type CodecErrorCode } from "../../errors.ts";
import type { StructDef, TypeRef } from "../../model/schema.ts";
import { describeStruct, describeType, previewValue } from "./describe.ts";

/** `expected <type>, got <value>`: a value of the wrong JS type, out of range, or not in the JSON mapping. */
export function invalidValue(type: TypeRef | string, value: unknown): CodecError {
  const expected = typeof type === "string" ? type : describeType(type);
  return new CodecError("CODEC_INVALID_VALUE", `expected ${expected}, got ${previewValue(value)}`);
}

/** {@link invalidValue} for a struct, union or exception value that is not an object. */
export function invalidStructValue(def: StructDef, value: unknown): CodecError {
  return invalidValue(describeStruct(def), value);
}

/** Turns anything thrown into a CodecError: codec failures keep their code, anything else gets `fallback`. */
export function asCodecError(error: unknown, fallback: CodecErrorCode): CodecError {
  if (error instanceof CodecError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new CodecError(fallback, message, "", { cause: error });
}

/**
 * Prefixes a path segment (`name`, `[3]`, `["k"]`) to an error caught at a struct or container level. Called
 * only from catch blocks, so locating a failure costs nothing when nothing fails.
 */
export function prefixPath(error: unknown, segment: string, fallback: CodecErrorCode): CodecError {
  return asCodecError(error, fallback).withPathPrefix(segment);
}
