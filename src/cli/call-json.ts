/** A Thrift message as the CLI prints it: `{"service", "method", "type", "seqid", "args"}`. */
import { APPLICATION_EXCEPTION_DEF } from "../codec/dynamic/application-exception.ts";
import { decodeCall, type DecodedCall } from "../codec/dynamic/index.ts";
import { findCallTarget, splitMessageName } from "../codec/dynamic/find-call-target.ts";
import { argsStructOf, resultStructOf } from "../codec/dynamic/method-structs.ts";
import { structToJson, type JsonObject } from "../codec/json/index.ts";
import type { ProtocolName } from "../codec/protocol.ts";
import { CodecError } from "../errors.ts";
import type { SchemaIndex } from "../model/schema-index.ts";
import type { ServiceDef, StructDef } from "../model/schema.ts";
import { findNamedService } from "./load-cli-schema.ts";
import { requireSingleMessage } from "./single-value.ts";

/** A decoded message in the CLI's JSON shape. */
export interface CallJson {
  readonly service: string;
  readonly method: string;
  readonly type: DecodedCall["type"];
  readonly seqid: number;
  readonly args: JsonObject;
}

/**
 * Decodes one complete message. `target` (`""`, `Service` or `Service.method`) restricts what is accepted;
 * trailing bytes, a message of another service or method, and undecodable bytes are CodecErrors.
 */
export function decodeCallJson(
  index: SchemaIndex,
  target: string,
  bytes: Uint8Array,
  protocol: ProtocolName,
): CallJson {
  const [serviceName, methodName] = target === "" ? [undefined, undefined] : splitTarget(index, target);
  const service = serviceName === undefined ? undefined : findNamedService(index, serviceName);
  const call = decodeCall(index, bytes, { protocol, ...(service ? { service } : {}) });
  const messageName = requireSingleMessage(bytes, protocol);
  // decodeCall names an exception after the given service whatever its prefix says; a mismatch is an error here.
  const prefix = splitMessageName(messageName).service;
  if (service !== undefined && prefix !== undefined && prefix !== service.name) {
    throw new CodecError(
      "CODEC_INVALID_VALUE",
      `message ${JSON.stringify(messageName)} is not for service ${service.name}`,
    );
  }
  if (methodName !== undefined && call.method !== methodName) {
    throw new CodecError("CODEC_INVALID_VALUE", `expected a message of method ${methodName}, got ${call.method}`);
  }
  const args = structToJson(index, bodyStruct(index, call, messageName, service), call.args);
  return { service: call.service, method: call.method, type: call.type, seqid: call.seqid, args };
}

/**
 * The struct `decodeCall` read the body as. The target is looked up again from the message name (rather than
 * from the service name in the result, which is unqualified and may be shared by services of other files).
 */
function bodyStruct(index: SchemaIndex, call: DecodedCall, messageName: string, service?: ServiceDef): StructDef {
  if (call.type === "exception") return APPLICATION_EXCEPTION_DEF;
  const found = findCallTarget(index, messageName, service);
  return call.type === "reply"
    ? resultStructOf(found.service, found.method)
    : argsStructOf(found.service, found.method);
}

/** `Service`, `Service.method` or `include.Service.method`: a known service name wins over a method split. */
function splitTarget(index: SchemaIndex, target: string): [string, string | undefined] {
  const dot = target.lastIndexOf(".");
  if (dot === -1 || index.findService(index.qualify(target))) return [target, undefined];
  return [target.slice(0, dot), target.slice(dot + 1)];
}
