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

// Ids.
export { uuidv7, uuidv7Timestamp } from "./ids.ts";

// Transports.
export type {
  CloseOptions,
  Delivery,
  NackOptions,
  OutgoingMessage,
  QueueStats,
  ReceiveOptions,
  Transport,
  TransportCapabilities,
} from "./transport/transport.ts";
export {
  ContentType,
  MetadataKey,
  USER_METADATA_PREFIX,
  formatTimestamp,
  normalizeUserMetadata,
  protocolOfContentType,
  type Envelope,
  type Metadata,
  type ReservedMetadataKey,
} from "./transport/envelope.ts";
export { InFlightDeliveries, type SettleOperations } from "./transport/in-flight.ts";
export { waitForWork, type WaitForWorkOptions } from "./transport/wait-for-work.ts";
export { MemoryTransport, type MemoryTransportOptions } from "./transport/memory/memory-transport.ts";
export { AmqpTransport, type AmqpTransportOptions } from "./transport/amqp/amqp-transport.ts";
export { silentLogger, type Logger } from "./logger.ts";
export { SqliteTransport, type SqliteTransportOptions } from "./transport/sqlite/sqlite-transport.ts";
export {
  numericParam,
  parseTransportUrl,
  redact,
  transportUrlFromEnvironment,
  type TransportKind,
  type TransportUrl,
} from "./transport/transport-url.ts";
export {
  openTransport,
  registerTransportOpener,
  type CommonTransportSettings,
  type OpenTransportOptions,
  type TransportOpener,
} from "./transport/open-transport.ts";

// Producers.
export type { CallChannel, CallOptions, OutgoingCall } from "./producer/call-channel.ts";
export { createEncodingChannel, type EncodedCall } from "./producer/encoding-channel.ts";
export { createProducer, type Producer, type ProducerOptions, type Receipt } from "./producer/producer.ts";
export { SendBatcher, type SendBatcherOptions } from "./producer/send-batcher.ts";
