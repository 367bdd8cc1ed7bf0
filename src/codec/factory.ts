/** Picks the writer or reader class for a protocol name, so callers can stay protocol-agnostic. */
import { ConfigError } from "../errors.ts";
import { BinaryReader } from "./binary-reader.ts";
import { BinaryWriter } from "./binary-writer.ts";
import { CompactReader } from "./compact-reader.ts";
import { CompactWriter } from "./compact-writer.ts";
import type { CodecLimits } from "./limits.ts";
import type { ProtocolName, ProtocolReader, ProtocolWriter } from "./protocol.ts";

/** Creates a reusable writer for `protocol`; call `finish()` after each value to take the bytes. */
export function createWriter(protocol: ProtocolName): ProtocolWriter {
  if (protocol === "binary") return new BinaryWriter();
  if (protocol === "compact") return new CompactWriter();
  throw unknownProtocol(protocol);
}

/** Creates a reader over `bytes`; throws CODEC_LIMIT_EXCEEDED when the input is larger than `maxMessageBytes`. */
export function createReader(bytes: Uint8Array, protocol: ProtocolName, limits?: Partial<CodecLimits>): ProtocolReader {
  if (protocol === "binary") return new BinaryReader(bytes, limits);
  if (protocol === "compact") return new CompactReader(bytes, limits);
  throw unknownProtocol(protocol);
}

function unknownProtocol(protocol: never): ConfigError {
  return new ConfigError("CONFIG_INVALID", `unknown protocol ${JSON.stringify(protocol)}`);
}
