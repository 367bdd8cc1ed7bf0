/**
 * stdin carries exactly one struct or message. Apache Thrift ignores bytes after the end, but on a command line
 * they mean a wrong --type or --protocol, or two values run together; the CLI rejects them instead of hiding
 * that. These checks run after a successful decode, so a decode error (with its field path) is reported first.
 */
import { createReader } from "../codec/factory.ts";
import { TType, type ProtocolName } from "../codec/protocol.ts";
import { CodecError } from "../errors.ts";

/** Throws when `bytes` hold more than the one struct at their start. */
export function requireSingleStruct(bytes: Uint8Array, protocol: ProtocolName): void {
  const reader = createReader(bytes, protocol);
  reader.skip(TType.STRUCT);
  rejectTrailingBytes(reader.remaining, "struct");
}

/** Returns the name in the header of the message at the start of `bytes`; throws when more bytes follow it. */
export function requireSingleMessage(bytes: Uint8Array, protocol: ProtocolName): string {
  const reader = createReader(bytes, protocol);
  const header = reader.readMessageBegin();
  reader.skip(TType.STRUCT);
  rejectTrailingBytes(reader.remaining, "message");
  return header.name;
}

function rejectTrailingBytes(remaining: number, what: "struct" | "message"): void {
  if (remaining > 0) {
    const count = remaining === 1 ? "1 byte" : `${remaining} bytes`;
    throw new CodecError("CODEC_INVALID_VALUE", `unexpected ${count} after the end of the ${what}`);
  }
}
