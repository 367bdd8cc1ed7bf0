/** Apache Thrift's TApplicationException, the body of EXCEPTION messages. */
import type { FieldDef, StructDef } from "../../model/schema.ts";

const MESSAGE_FIELD: FieldDef = {
  id: 1,
  name: "message",
  type: { kind: "string" },
  requiredness: "optional",
  annotations: {},
};
const TYPE_FIELD: FieldDef = { id: 2, name: "type", type: { kind: "i32" }, requiredness: "optional", annotations: {} };

/** The TApplicationException struct: `1: optional string message`, `2: optional i32 type`. */
export const APPLICATION_EXCEPTION_DEF: StructDef = {
  kind: "exception",
  name: "TApplicationException",
  qualifiedName: "thrift.TApplicationException",
  fields: [MESSAGE_FIELD, TYPE_FIELD],
  annotations: {},
};

/** TApplicationException type codes (TApplicationExceptionType). */
export const ApplicationExceptionType = {
  UNKNOWN: 0,
  UNKNOWN_METHOD: 1,
  INVALID_MESSAGE_TYPE: 2,
  WRONG_METHOD_NAME: 3,
  BAD_SEQUENCE_ID: 4,
  MISSING_RESULT: 5,
  INTERNAL_ERROR: 6,
  PROTOCOL_ERROR: 7,
  INVALID_TRANSFORM: 8,
  INVALID_PROTOCOL: 9,
  UNSUPPORTED_CLIENT_TYPE: 10,
} as const;
