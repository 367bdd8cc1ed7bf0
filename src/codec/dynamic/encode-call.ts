/** Writes complete Thrift messages (header and body) from reflection data, for tools without generated code. */
import { CodecError } from "../../errors.ts";
import type { SchemaIndex } from "../../model/schema-index.ts";
import type { MethodDef, ServiceDef, StructDef } from "../../model/schema.ts";
import { APPLICATION_EXCEPTION_DEF } from "./application-exception.ts";
import { messageTypeId, type CallMessageKind, type DynamicEncodeCallOptions } from "./call-types.ts";
import { isIntOf } from "./integer-ranges.ts";
import { argsStructOf, resultStructOf } from "./method-structs.ts";
import { withWriter } from "./struct-bytes.ts";
import { writeStruct } from "./write-value.ts";

/**
 * Encodes a message for `methodName` of `service` (inherited methods included). The header is named `method`,
 * or `Service:method` when multiplexed (also for replies: pass `multiplexed: false` to mimic Apache servers,
 * which answer unprefixed). The body is, by type: call/oneway the `<method>_args` struct with `args`; reply the
 * `<method>_result` struct (`{ success }` or `{ <exception field>: … }`); exception a TApplicationException
 * (`{ message, type }`). Throws CodecError: CODEC_INVALID_VALUE for an unknown method or bad seqid, and the
 * struct errors of {@link writeStruct}.
 */
export function encodeCall(
  index: SchemaIndex,
  service: ServiceDef,
  methodName: string,
  args: unknown,
  options: DynamicEncodeCallOptions = {},
): Uint8Array {
  const method = findMethod(index, service, methodName);
  const kind: CallMessageKind = options.type ?? (method.oneway ? "oneway" : "call");
  const seqid = options.seqid ?? 0;
  if (!isIntOf("i32", seqid)) {
    throw new CodecError("CODEC_INVALID_VALUE", `seqid must be an i32, got ${String(seqid)}`);
  }
  const name = options.multiplexed ? `${service.name}:${method.name}` : method.name;
  const body = bodyStruct(service, method, kind);
  return withWriter(options.protocol ?? "binary", (writer) => {
    writer.writeMessageBegin(name, messageTypeId(kind), seqid);
    writeStruct(index, body, args, writer);
  });
}

function bodyStruct(service: ServiceDef, method: MethodDef, kind: CallMessageKind): StructDef {
  if (kind === "reply") return resultStructOf(service, method);
  if (kind === "exception") return APPLICATION_EXCEPTION_DEF;
  return argsStructOf(service, method);
}

function findMethod(index: SchemaIndex, service: ServiceDef, methodName: string): MethodDef {
  const method = index.allMethods(service).find((candidate) => candidate.name === methodName);
  if (method === undefined) {
    throw new CodecError(
      "CODEC_INVALID_VALUE",
      `unknown method ${JSON.stringify(methodName)} of service ${service.name}`,
    );
  }
  return method;
}
