/**
 * Reflection-driven reading: reads a value of a resolved type from any ProtocolReader, skipping unknown fields
 * and fields of an unexpected wire type as Apache Thrift does. Every failure is a CodecError with a field path.
 */
import { mapKeySegment } from "../codec-error-boundary.ts";
import {
  missingRequiredField,
  unexpectedMapTypes,
  unexpectedWireType,
  unionFieldCountError,
} from "../generated-support.ts";
import { TType, type ProtocolReader } from "../protocol.ts";
import type { SchemaIndex } from "../../model/schema-index.ts";
import type { StructDef, TypeRef } from "../../model/schema.ts";
import { fieldDefault, fieldTable, type FieldInfo, type FieldTable } from "./field-table.ts";
import { setOwn } from "./own-fields.ts";
import { asCodecError, prefixPath } from "./value-errors.ts";
import { wireTypeOf } from "./wire-type.ts";

/**
 * Reads a struct of type `def`. Absent fields with an IDL default get it (as Apache's constructors set them);
 * unset fields are absent from the result. Throws CodecError (CODEC_MISSING_REQUIRED, CODEC_UNION, protocol errors).
 */
export function readStruct(index: SchemaIndex, def: StructDef, reader: ProtocolReader): Record<string, unknown> {
  try {
    return readStructAt(index, def, reader);
  } catch (error) {
    throw asCodecError(error, "CODEC_UNKNOWN");
  }
}

/** Reads one value of `type` (no field header). Throws CodecError like {@link readStruct}. */
export function readValue(index: SchemaIndex, type: TypeRef, reader: ProtocolReader): unknown {
  try {
    return readValueAt(index, type, reader);
  } catch (error) {
    throw asCodecError(error, "CODEC_UNKNOWN");
  }
}

function readStructAt(index: SchemaIndex, def: StructDef, reader: ProtocolReader): Record<string, unknown> {
  const table = fieldTable(def);
  const values: unknown[] = new Array<unknown>(table.fields.length).fill(undefined);
  let current: FieldInfo | undefined;
  reader.readStructBegin();
  try {
    for (;;) {
      const type = reader.readFieldBegin();
      if (type === TType.STOP) break;
      const field = table.byId.get(reader.fieldId);
      // Unknown ids, and known ids with another wire type (an incompatible schema change), are skipped.
      if (field === undefined || field.wireType !== type) {
        reader.skip(type);
        continue;
      }
      current = field;
      values[field.slot] = readValueAt(index, field.type, reader);
      current = undefined;
    }
  } catch (error) {
    throw current === undefined
      ? asCodecError(error, "CODEC_UNKNOWN")
      : prefixPath(error, current.name, "CODEC_UNKNOWN");
  }
  reader.readStructEnd();
  return table.isUnion ? unionResult(table, values) : structResult(index, table, values);
}

function structResult(index: SchemaIndex, table: FieldTable, values: unknown[]): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  for (const field of table.fields) {
    let value = values[field.slot];
    if (value === undefined) {
      // Checked before defaults apply, like generated code: a required field must be on the wire.
      if (field.required) throw missingRequiredField(field.name);
      if (field.defaultValue === undefined) continue;
      value = fieldDefault(index, field);
    }
    setOwn(result, field.name, value, field.protoName);
  }
  return result;
}

function unionResult(table: FieldTable, values: unknown[]): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  let count = 0;
  for (const field of table.fields) {
    const value = values[field.slot];
    if (value === undefined) continue;
    setOwn(result, field.name, value, field.protoName);
    count++;
  }
  if (count !== 1) throw unionFieldCountError(count);
  return result;
}

function readValueAt(index: SchemaIndex, type: TypeRef, reader: ProtocolReader): unknown {
  switch (type.kind) {
    case "bool":
      return reader.readBool();
    case "i8":
      return reader.readByte();
    case "i16":
      return reader.readI16();
    case "i32":
    case "enum":
      // Unknown enum numbers are kept: a newer peer may know them.
      return reader.readI32();
    case "i64":
      return reader.readI64();
    case "double":
      return reader.readDouble();
    case "string":
      return reader.readString();
    case "binary":
      return reader.readBinary();
    case "list":
      return readCollection(index, type.element, reader, []);
    case "set":
      return readCollection(index, type.element, reader, new Set<unknown>());
    case "map":
      return readMap(index, type.key, type.value, reader);
    case "struct":
      return readStructAt(index, index.struct(type.name), reader);
  }
}

function readCollection<C extends unknown[] | Set<unknown>>(
  index: SchemaIndex,
  element: TypeRef,
  reader: ProtocolReader,
  collection: C,
): C {
  const size = Array.isArray(collection) ? reader.readListBegin() : reader.readSetBegin();
  const expected = wireTypeOf(element);
  if (size > 0 && reader.elementType !== expected) unexpectedWireType(reader.elementType, expected);
  let position = 0;
  try {
    for (; position < size; position++) {
      const item = readValueAt(index, element, reader);
      if (Array.isArray(collection)) collection.push(item);
      else collection.add(item);
    }
  } catch (error) {
    throw prefixPath(error, `[${position}]`, "CODEC_UNKNOWN");
  }
  reader.readContainerEnd();
  return collection;
}

function readMap(
  index: SchemaIndex,
  keyType: TypeRef,
  valueType: TypeRef,
  reader: ProtocolReader,
): Map<unknown, unknown> {
  const size = reader.readMapBegin();
  const expectedKey = wireTypeOf(keyType);
  const expectedValue = wireTypeOf(valueType);
  if (size > 0 && (reader.keyType !== expectedKey || reader.valueType !== expectedValue)) {
    unexpectedMapTypes(reader.keyType, reader.valueType, expectedKey, expectedValue);
  }
  const map = new Map<unknown, unknown>();
  let current: unknown = undefined;
  try {
    for (let position = 0; position < size; position++) {
      current = undefined;
      const key = readValueAt(index, keyType, reader);
      current = key;
      map.set(key, readValueAt(index, valueType, reader));
    }
  } catch (error) {
    // A key that failed to read has no segment of its own: `[<key>]`, as generated code reports it.
    throw prefixPath(error, mapKeySegment(current), "CODEC_UNKNOWN");
  }
  reader.readContainerEnd();
  return map;
}
