/**
 * Reflection-driven writing: walks a runtime value along its resolved type, validating as it goes, and writes
 * it with any ProtocolWriter. Every failure is a CodecError whose path locates the offending field or element.
 */
import { mapKeySegment } from "../codec-error-boundary.ts";
import { missingRequiredField, unionFieldCountError } from "../generated-support.ts";
import type { ProtocolWriter } from "../protocol.ts";
import type { SchemaIndex } from "../../model/schema-index.ts";
import type { StructDef, TypeRef } from "../../model/schema.ts";
import { fieldDefault, fieldTable, type FieldInfo } from "./field-table.ts";
import { isI64, isIntOf } from "./integer-ranges.ts";
import { checkNesting } from "./nesting.ts";
import { readField } from "./own-fields.ts";
import { asCodecError, invalidStructValue, invalidValue, prefixPath } from "./value-errors.ts";
import { wireTypeOf } from "./wire-type.ts";

/**
 * Writes `value` as a struct of type `def` (begin, fields in ascending id order as Apache Thrift writes them,
 * stop, end). Throws CodecError: CODEC_INVALID_VALUE, CODEC_MISSING_REQUIRED or CODEC_UNION, with the path of
 * the offending field.
 */
export function writeStruct(index: SchemaIndex, def: StructDef, value: unknown, writer: ProtocolWriter): void {
  try {
    writeStructAt(index, def, value, writer, 1);
  } catch (error) {
    throw asCodecError(error, "CODEC_INVALID_VALUE");
  }
}

/** Writes one value of `type` (no field header). Throws CodecError like {@link writeStruct}. */
export function writeValue(index: SchemaIndex, type: TypeRef, value: unknown, writer: ProtocolWriter): void {
  try {
    writeValueAt(index, type, value, writer, 0);
  } catch (error) {
    throw asCodecError(error, "CODEC_INVALID_VALUE");
  }
}

function writeStructAt(
  index: SchemaIndex,
  def: StructDef,
  value: unknown,
  writer: ProtocolWriter,
  depth: number,
): void {
  checkNesting(depth);
  if (!isStructLike(value)) throw invalidStructValue(def, value);
  const table = fieldTable(def);
  let current: FieldInfo | undefined;
  let written = 0;
  try {
    writer.writeStructBegin();
    for (const field of table.writeOrder) {
      current = field;
      let fieldValue = readField(value, field.name, field.protoName);
      // null counts as unset, as in generated code (`v.x != null`).
      if (fieldValue === undefined || fieldValue === null) {
        if (field.writesDefault) fieldValue = fieldDefault(index, field);
        else if (field.required) throw missingRequiredField();
        else continue;
      }
      writer.writeFieldBegin(field.wireType, field.id);
      writeValueAt(index, field.type, fieldValue, writer, depth);
      written++;
    }
    current = undefined;
    if (table.isUnion && written !== 1) throw unionFieldCountError(written);
    writer.writeFieldStop();
    writer.writeStructEnd();
  } catch (error) {
    throw current === undefined
      ? asCodecError(error, "CODEC_INVALID_VALUE")
      : prefixPath(error, current.name, "CODEC_INVALID_VALUE");
  }
}

/** Structs are plain objects; arrays and the runtime's container/binary classes are certainly not. */
function isStructLike(value: unknown): value is object {
  return (
    typeof value === "object" &&
    value !== null &&
    !Array.isArray(value) &&
    !(value instanceof Map) &&
    !(value instanceof Set) &&
    !(value instanceof Uint8Array)
  );
}

function writeValueAt(index: SchemaIndex, type: TypeRef, value: unknown, writer: ProtocolWriter, depth: number): void {
  switch (type.kind) {
    case "bool":
      if (typeof value !== "boolean") throw invalidValue(type, value);
      writer.writeBool(value);
      return;
    case "i8":
      if (!isIntOf("i8", value)) throw invalidValue(type, value);
      writer.writeByte(value);
      return;
    case "i16":
      if (!isIntOf("i16", value)) throw invalidValue(type, value);
      writer.writeI16(value);
      return;
    case "i32":
    case "enum":
      // Unknown enum numbers are allowed (a newer peer may know them); they must still fit an i32.
      if (!isIntOf("i32", value)) throw invalidValue(type, value);
      writer.writeI32(value);
      return;
    case "i64":
      if (!isI64(value)) throw invalidValue(type, value);
      writer.writeI64(value);
      return;
    case "double":
      if (typeof value !== "number") throw invalidValue(type, value);
      writer.writeDouble(value);
      return;
    case "string":
      if (typeof value !== "string") throw invalidValue(type, value);
      writer.writeString(value);
      return;
    case "binary":
      if (!(value instanceof Uint8Array)) throw invalidValue(type, value);
      writer.writeBinary(value);
      return;
    case "list":
      if (!Array.isArray(value)) throw invalidValue(type, value);
      writeList(index, type.element, value, writer, depth + 1);
      return;
    case "set":
      if (!(value instanceof Set)) throw invalidValue(type, value);
      writeSet(index, type.element, value, writer, depth + 1);
      return;
    case "map":
      if (!(value instanceof Map)) throw invalidValue(type, value);
      writeMap(index, type.key, type.value, value, writer, depth + 1);
      return;
    case "struct":
      writeStructAt(index, index.struct(type.name), value, writer, depth + 1);
      return;
  }
}

function writeList(
  index: SchemaIndex,
  element: TypeRef,
  list: readonly unknown[],
  writer: ProtocolWriter,
  depth: number,
): void {
  checkNesting(depth);
  writer.writeListBegin(wireTypeOf(element), list.length);
  let position = 0;
  try {
    // Indexed, not for-of: holes of sparse arrays must be seen (and rejected) as undefined elements.
    for (; position < list.length; position++) writeValueAt(index, element, list[position], writer, depth);
  } catch (error) {
    throw prefixPath(error, `[${position}]`, "CODEC_INVALID_VALUE");
  }
}

function writeSet(
  index: SchemaIndex,
  element: TypeRef,
  set: ReadonlySet<unknown>,
  writer: ProtocolWriter,
  depth: number,
): void {
  checkNesting(depth);
  writer.writeSetBegin(wireTypeOf(element), set.size);
  let position = 0;
  try {
    for (const item of set) {
      writeValueAt(index, element, item, writer, depth);
      position++;
    }
  } catch (error) {
    throw prefixPath(error, `[${position}]`, "CODEC_INVALID_VALUE");
  }
}

function writeMap(
  index: SchemaIndex,
  keyType: TypeRef,
  valueType: TypeRef,
  map: ReadonlyMap<unknown, unknown>,
  writer: ProtocolWriter,
  depth: number,
): void {
  checkNesting(depth);
  writer.writeMapBegin(wireTypeOf(keyType), wireTypeOf(valueType), map.size);
  let current: unknown = undefined;
  try {
    for (const [key, item] of map) {
      current = key;
      writeValueAt(index, keyType, key, writer, depth);
      writeValueAt(index, valueType, item, writer, depth);
    }
  } catch (error) {
    throw prefixPath(error, mapKeySegment(current), "CODEC_INVALID_VALUE");
  }
}
