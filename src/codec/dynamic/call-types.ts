/** Types shared by {@link encodeCall} and {@link decodeCall}, and the message-type names they use. */
import { MessageType, type MessageTypeId, type ProtocolName } from "../protocol.ts";
import type { CodecLimits } from "../limits.ts";
import type { ServiceDef } from "../../model/schema.ts";

/** A message type by name, as the CLI prints it. */
export type CallMessageKind = "call" | "oneway" | "reply" | "exception";

/** How {@link encodeCall} frames a message. */
export interface DynamicEncodeCallOptions {
  /** @defaultValue "binary" */
  protocol?: ProtocolName;
  /** Name the message `Service:method` (unqualified service name), as TMultiplexedProtocol does. @defaultValue false */
  multiplexed?: boolean;
  /** Sequence id, an i32. @defaultValue 0 */
  seqid?: number;
  /** Message type; the body follows it (see {@link encodeCall}). @defaultValue "oneway" for oneway methods, else "call" */
  type?: CallMessageKind;
}

/** How {@link decodeCall} reads a message. */
export interface DynamicDecodeCallOptions {
  /** @defaultValue "binary" */
  protocol?: ProtocolName;
  /** The service the message is for; without it, it is found from the message name. */
  service?: ServiceDef;
  limits?: Partial<CodecLimits>;
}

/** A message read by {@link decodeCall}. */
export interface DecodedCall {
  /** Unqualified service name. */
  readonly service: string;
  readonly method: string;
  readonly type: CallMessageKind;
  readonly seqid: number;
  /** The `_args` struct (call, oneway), the `_result` struct (reply) or the TApplicationException (exception). */
  readonly args: Record<string, unknown>;
}

const KIND_TO_ID: Readonly<Record<CallMessageKind, MessageTypeId>> = {
  call: MessageType.CALL,
  reply: MessageType.REPLY,
  exception: MessageType.EXCEPTION,
  oneway: MessageType.ONEWAY,
};

const ID_TO_KIND: Readonly<Record<MessageTypeId, CallMessageKind>> = {
  [MessageType.CALL]: "call",
  [MessageType.REPLY]: "reply",
  [MessageType.EXCEPTION]: "exception",
  [MessageType.ONEWAY]: "oneway",
};

/** The wire id of a message type name. */
export function messageTypeId(kind: CallMessageKind): MessageTypeId {
  return KIND_TO_ID[kind];
}

/** The name of a wire message type (readers have already rejected ids outside 1..4). */
export function messageKind(type: MessageTypeId): CallMessageKind {
  return ID_TO_KIND[type];
}
