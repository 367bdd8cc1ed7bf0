/**
 * thrift-queue's public entry point. Generated code imports only from here (as `$tq`).
 */
export * from "./errors.ts";
export { VERSION } from "./version.ts";

// Model: resolved IDL, used as reflection data.
export type * from "./model/schema.ts";
export { SchemaIndex } from "./model/schema-index.ts";
export { methodArgsStruct, methodResultStruct } from "./model/method-structs.ts";

// Codecs.
export { TType, MessageType } from "./codec/protocol.ts";
export type {
  MessageHeader,
  MessageTypeId,
  ProtocolName,
  ProtocolReader,
  ProtocolWriter,
  TTypeId,
} from "./codec/protocol.ts";
export { DEFAULT_CODEC_LIMITS, type CodecLimits } from "./codec/limits.ts";
export { createReader, createWriter } from "./codec/factory.ts";
export { defineStruct, type StructCodec, type StructCodecSpec } from "./codec/struct-codec.ts";
export {
  defineMethod,
  defineService,
  type MethodDescriptor,
  type MethodDescriptorSpec,
  type ServiceDescriptor,
  type ServiceDescriptorSpec,
} from "./codec/service-descriptor.ts";
export {
  decodeCallMessage,
  encodeCallMessage,
  type DecodeCallOptions,
  type DecodedCallMessage,
  type EncodeCallOptions,
} from "./codec/call-message.ts";
export { mapKeySegment, withFieldPath } from "./codec/codec-error-boundary.ts";
export {
  createSchema,
  lazySchemaIndex,
  methodStructDef,
  missingRequiredField,
  ownField,
  unexpectedMapTypes,
  unexpectedWireType,
  unionFieldCountError,
  utf8Bytes,
} from "./codec/generated-support.ts";
export * from "./codec/dynamic/index.ts";
export * from "./codec/json/index.ts";

// Producers.
export type { CallChannel, CallOptions, OutgoingCall } from "./producer/call-channel.ts";
export { createEncodingChannel, type EncodedCall } from "./producer/encoding-channel.ts";
