/**
 * The protocol contract every codec speaks: the same calls Apache Thrift's TProtocol makes, minus the no-op
 * `*End` calls of fields and containers. Generated code and the dynamic codec write against these interfaces,
 * so one body of code serves TBinaryProtocol and TCompactProtocol.
 */

/** Thrift wire type ids (TType), as TBinaryProtocol writes them. */
export const TType = {
  STOP: 0,
  VOID: 1,
  BOOL: 2,
  BYTE: 3,
  DOUBLE: 4,
  I16: 6,
  I32: 8,
  I64: 10,
  STRING: 11,
  STRUCT: 12,
  MAP: 13,
  SET: 14,
  LIST: 15,
  UUID: 16,
} as const;

/** One of the {@link TType} values. */
export type TTypeId = (typeof TType)[keyof typeof TType];

/** Thrift message types (TMessageType). */
export const MessageType = {
  CALL: 1,
  REPLY: 2,
  EXCEPTION: 3,
  ONEWAY: 4,
} as const;

/** One of the {@link MessageType} values. */
export type MessageTypeId = (typeof MessageType)[keyof typeof MessageType];

/** The protocols thrift-queue speaks. */
export type ProtocolName = "binary" | "compact";

/** A message header: method name (possibly `Service:method` when multiplexed), type and sequence id. */
export interface MessageHeader {
  readonly name: string;
  readonly type: MessageTypeId;
  readonly seqid: number;
}

/**
 * Writes one Thrift value or message into a growing buffer. Not safe for concurrent use; `finish()` returns the
 * bytes and resets the writer so it can be reused.
 */
export interface ProtocolWriter {
  readonly protocol: ProtocolName;
  writeMessageBegin(name: string, type: MessageTypeId, seqid: number): void;
  writeStructBegin(): void;
  writeStructEnd(): void;
  /** Starts a field. In compact protocol a BOOL field's header is written by the following `writeBool`. */
  writeFieldBegin(type: TTypeId, id: number): void;
  writeFieldStop(): void;
  writeMapBegin(keyType: TTypeId, valueType: TTypeId, size: number): void;
  writeListBegin(elementType: TTypeId, size: number): void;
  writeSetBegin(elementType: TTypeId, size: number): void;
  writeBool(value: boolean): void;
  writeByte(value: number): void;
  writeI16(value: number): void;
  writeI32(value: number): void;
  writeI64(value: bigint): void;
  writeDouble(value: number): void;
  writeString(value: string): void;
  writeBinary(value: Uint8Array): void;
  /** Returns a copy of the bytes written since the last `finish()` and resets the writer. */
  finish(): Uint8Array;
}

/**
 * Reads one Thrift value or message from bytes. Every failure is a `CodecError`; sizes are checked against
 * the reader's limits and the bytes remaining before anything is allocated.
 */
export interface ProtocolReader {
  readonly protocol: ProtocolName;
  readMessageBegin(): MessageHeader;
  /** Enters a struct; throws CODEC_DEPTH_EXCEEDED past the nesting limit. */
  readStructBegin(): void;
  readStructEnd(): void;
  /** Returns the next field's wire type, or `TType.STOP`; the field id is then in {@link fieldId}. */
  readFieldBegin(): number;
  /** Id of the field whose header {@link readFieldBegin} read last. */
  readonly fieldId: number;
  /** Returns the entry count; key and value wire types are then in {@link keyType} and {@link valueType}. */
  readMapBegin(): number;
  /** Returns the element count; the element wire type is then in {@link elementType}. */
  readListBegin(): number;
  /** Returns the element count; the element wire type is then in {@link elementType}. */
  readSetBegin(): number;
  /** Leaves a map, list or set (pairs with the `read*Begin` calls for depth accounting). */
  readContainerEnd(): void;
  readonly keyType: number;
  readonly valueType: number;
  readonly elementType: number;
  readBool(): boolean;
  readByte(): number;
  readI16(): number;
  readI32(): number;
  readI64(): bigint;
  readDouble(): number;
  readString(): string;
  readBinary(): Uint8Array;
  /** Skips a value of the given wire type (unknown fields); throws CODEC_BAD_TYPE for an invalid type. */
  skip(type: number): void;
  /** Bytes not yet read. */
  readonly remaining: number;
}
