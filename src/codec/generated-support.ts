/**
 * Small helpers that generated code calls through the public entry point. They keep generated files short
 * and put every error message in one place.
 */
import { CodecError } from "../errors.ts";
import { methodArgsStruct, methodResultStruct } from "../model/method-structs.ts";
import { SchemaIndex } from "../model/schema-index.ts";
import type { Schema, SchemaDocument, StructDef } from "../model/schema.ts";

/** Reads an own property only, so fields named like Object.prototype members (`constructor`) read as unset. */
export function ownField<T extends object, K extends keyof T>(object: T, key: K): T[K] | undefined {
  return Object.hasOwn(object, key) ? object[key] : undefined;
}

/** The error for a required field that is absent; the caller's catch block adds the field path. */
export function missingRequiredField(fieldName = ""): CodecError {
  return new CodecError("CODEC_MISSING_REQUIRED", "missing required field", fieldName);
}

/** The error for a union with other than exactly one field set. */
export function unionFieldCountError(count: number): CodecError {
  return new CodecError("CODEC_UNION", `a union must have exactly one field set, got ${count}`);
}

/** Throws for a list or set whose element wire type is not the declared one. */
export function unexpectedWireType(actual: number, expected: number): never {
  throw new CodecError("CODEC_BAD_TYPE", `expected elements of wire type ${expected}, got ${actual}`);
}

/** Throws for a map whose key or value wire type is not the declared one. */
export function unexpectedMapTypes(key: number, value: number, expectedKey: number, expectedValue: number): never {
  throw new CodecError(
    "CODEC_BAD_TYPE",
    `expected map entries of wire types ${expectedKey}/${expectedValue}, got ${key}/${value}`,
  );
}

const utf8Encoder = new TextEncoder();

/** UTF-8 bytes of a string: how IDL binary constants are written. */
export function utf8Bytes(text: string): Uint8Array {
  return utf8Encoder.encode(text);
}

/** Builds a {@link Schema} from documents (deduplicated by module); the first document is the root. */
export function createSchema(documents: readonly SchemaDocument[]): Schema {
  const byModule = new Map<string, SchemaDocument>();
  for (const document of documents) if (!byModule.has(document.module)) byModule.set(document.module, document);
  const root = documents[0];
  return { roots: root ? [root.module] : [], documents: byModule };
}

/** A memoized schema index, built on first use so that generated modules can reference one another freely. */
export function lazySchemaIndex(documents: readonly SchemaDocument[]): () => SchemaIndex {
  let index: SchemaIndex | undefined;
  return () => (index ??= new SchemaIndex(createSchema(documents)));
}

/** Reflection data of a method's `_args` or `_result` struct. */
export function methodStructDef(
  index: SchemaIndex,
  serviceQualifiedName: string,
  methodName: string,
  which: "args" | "result",
): StructDef {
  const service = index.findService(serviceQualifiedName);
  const method = service?.methods.find((candidate) => candidate.name === methodName);
  if (!method) throw new Error(`schema has no method ${serviceQualifiedName}.${methodName}`);
  return which === "args"
    ? methodArgsStruct(serviceQualifiedName, method)
    : methodResultStruct(serviceQualifiedName, method);
}
