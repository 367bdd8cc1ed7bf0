/** Reads complete Thrift messages (header and body) with reflection data, for tools without generated code. */
import { createReader } from "../factory.ts";
import type { SchemaIndex } from "../../model/schema-index.ts";
import type { StructDef } from "../../model/schema.ts";
import { APPLICATION_EXCEPTION_DEF } from "./application-exception.ts";
import { messageKind, type CallMessageKind, type DecodedCall, type DynamicDecodeCallOptions } from "./call-types.ts";
import { findCallTarget, splitMessageName, type CallTarget } from "./find-call-target.ts";
import { argsStructOf, resultStructOf } from "./method-structs.ts";
import { readStruct } from "./read-value.ts";
import { asCodecError } from "./value-errors.ts";

/**
 * Decodes a message: call and oneway bodies as the method's `_args` struct, replies as its `_result` struct,
 * exceptions as a TApplicationException (`{ message?, type? }`). The service comes from `options.service`, a
 * multiplexed `Service:` prefix, or the unique root-document service with that method. An exception for a
 * method the schema does not know (typically UNKNOWN_METHOD) still decodes. Bytes after the message are
 * ignored, as Apache Thrift ignores them. Every failure is a CodecError.
 */
export function decodeCall(index: SchemaIndex, bytes: Uint8Array, options: DynamicDecodeCallOptions = {}): DecodedCall {
  try {
    const reader = createReader(bytes, options.protocol ?? "binary", options.limits);
    const header = reader.readMessageBegin();
    const type = messageKind(header.type);
    if (type === "exception") {
      const args = readStruct(index, APPLICATION_EXCEPTION_DEF, reader);
      return { ...exceptionTarget(index, header.name, options), type, seqid: header.seqid, args };
    }
    const target = findCallTarget(index, header.name, options.service);
    const args = readStruct(index, bodyStruct(target, type), reader);
    return { service: target.service.name, method: target.method.name, type, seqid: header.seqid, args };
  } catch (error) {
    throw asCodecError(error, "CODEC_UNKNOWN");
  }
}

function bodyStruct(target: CallTarget, type: CallMessageKind): StructDef {
  return type === "reply" ? resultStructOf(target.service, target.method) : argsStructOf(target.service, target.method);
}

/** Names the service and method of an exception, falling back to the raw names when the schema lacks them. */
function exceptionTarget(
  index: SchemaIndex,
  messageName: string,
  options: DynamicDecodeCallOptions,
): { service: string; method: string } {
  try {
    const target = findCallTarget(index, messageName, options.service);
    return { service: target.service.name, method: target.method.name };
  } catch {
    const parts = splitMessageName(messageName);
    return { service: options.service?.name ?? parts.service ?? "", method: parts.method };
  }
}
