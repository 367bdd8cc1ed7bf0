/** The wire type (TType) of each resolved type. */
import { TType, type TTypeId } from "../protocol.ts";
import type { TypeRef } from "../../model/schema.ts";

const WIRE_TYPES: Readonly<Record<TypeRef["kind"], TTypeId>> = {
  bool: TType.BOOL,
  i8: TType.BYTE,
  i16: TType.I16,
  i32: TType.I32,
  enum: TType.I32,
  i64: TType.I64,
  double: TType.DOUBLE,
  string: TType.STRING,
  binary: TType.STRING,
  struct: TType.STRUCT,
  map: TType.MAP,
  set: TType.SET,
  list: TType.LIST,
};

/** The wire type a value of `type` is written as. */
export function wireTypeOf(type: TypeRef): TTypeId {
  return WIRE_TYPES[type.kind];
}
