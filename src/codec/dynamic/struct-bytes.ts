/** One-call encoding and decoding of a whole struct to and from bytes, for tools that have no generated code. */
import { createReader, createWriter } from "../factory.ts";
import type { CodecLimits } from "../limits.ts";
import type { ProtocolName, ProtocolWriter } from "../protocol.ts";
import type { SchemaIndex } from "../../model/schema-index.ts";
import type { StructDef } from "../../model/schema.ts";
import { readStruct } from "./read-value.ts";
import { asCodecError } from "./value-errors.ts";
import { writeStruct } from "./write-value.ts";

/** Encodes `value` as a struct of type `def`; throws CodecError with the path of an invalid or missing field. */
export function encodeStruct(
  index: SchemaIndex,
  def: StructDef,
  value: unknown,
  protocol: ProtocolName = "binary",
): Uint8Array {
  return withWriter(protocol, (writer) => writeStruct(index, def, value, writer));
}

/**
 * Decodes untrusted bytes as a struct of type `def`. Bytes after the struct's STOP are ignored, as Apache
 * Thrift ignores them. Every failure is a CodecError.
 */
export function decodeStruct(
  index: SchemaIndex,
  def: StructDef,
  bytes: Uint8Array,
  protocol: ProtocolName = "binary",
  limits?: Partial<CodecLimits>,
): Record<string, unknown> {
  try {
    return readStruct(index, def, createReader(bytes, protocol, limits));
  } catch (error) {
    throw asCodecError(error, "CODEC_UNKNOWN");
  }
}

/** Idle writers, one per protocol; `busy` guards against re-entrant use (a getter that encodes, say). */
const pool: Record<ProtocolName, { writer: ProtocolWriter | undefined; busy: boolean }> = {
  binary: { writer: undefined, busy: false },
  compact: { writer: undefined, busy: false },
};

/**
 * Runs `write` with a pooled writer and returns the bytes; the writer is reset even when `write` throws. Every
 * failure, an unknown protocol name included, comes out as a CodecError.
 */
export function withWriter(protocol: ProtocolName, write: (writer: ProtocolWriter) => void): Uint8Array {
  try {
    const slot = pool[protocol] as (typeof pool)[ProtocolName] | undefined;
    if (slot === undefined || slot.busy) return writeOnce(createWriter(protocol), write);
    slot.writer ??= createWriter(protocol);
    slot.busy = true;
    try {
      return writeOnce(slot.writer, write);
    } finally {
      slot.busy = false;
    }
  } catch (error) {
    throw asCodecError(error, "CODEC_INVALID_VALUE");
  }
}

function writeOnce(writer: ProtocolWriter, write: (writer: ProtocolWriter) => void): Uint8Array {
  try {
    write(writer);
  } catch (error) {
    writer.finish(); // discard the partial output so the pooled writer starts clean
    throw error;
  }
  return writer.finish();
}
