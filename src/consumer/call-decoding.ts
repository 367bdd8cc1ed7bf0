/**
 * Reading a delivery as a call: the protocol from its content type, the call from its payload, its deadline and
 * enqueue time from metadata. Untrusted input: every failure is a value, never a throw past this file.
 */
import { decodeCallMessage, type DecodedCallMessage } from "../codec/call-message.ts";
import { createReader } from "../codec/factory.ts";
import type { CodecLimits } from "../codec/limits.ts";
import type { ServiceDescriptor } from "../codec/service-descriptor.ts";
import { CodecError } from "../errors.ts";
import { MetadataKey, protocolOfContentType, type Metadata } from "../transport/envelope.ts";
import { toCodecError } from "../codec/codec-error-boundary.ts";

/** Decodes the delivery's call with `services`; a CodecError (returned, not thrown) when it cannot. */
export function decodeDelivery(
  services: readonly ServiceDescriptor[],
  metadata: Metadata,
  payload: Uint8Array,
  limits: Partial<CodecLimits> | undefined,
): DecodedCallMessage | CodecError {
  const contentType = metadata[MetadataKey.contentType];
  // A message without a content type is read as binary, TBinaryProtocol being every Thrift library's default.
  const protocol = contentType === undefined ? "binary" : protocolOfContentType(contentType);
  if (protocol === undefined) {
    return new CodecError("CODEC_INVALID_VALUE", `unsupported content type ${JSON.stringify(clip(contentType ?? ""))}`);
  }
  try {
    return decodeCallMessage(services, payload, { protocol, limits });
  } catch (error) {
    return toCodecError(error, "CODEC_UNKNOWN");
  }
}

/** The service and method a message names, as far as its header can be read (for the dead job's record). */
export function namesOfMessage(metadata: Metadata, payload: Uint8Array): { service: string; method: string } {
  try {
    const protocol = protocolOfContentType(metadata[MetadataKey.contentType] ?? "") ?? "binary";
    const name = clip(createReader(payload, protocol).readMessageBegin().name);
    const separator = name.indexOf(":");
    if (separator === -1) return { service: "", method: name };
    return { service: name.slice(0, separator), method: name.slice(separator + 1) };
  } catch {
    return { service: "", method: "" };
  }
}

/** A metadata timestamp (RFC 3339) as Unix ms; undefined when absent or unreadable. */
export function metadataTime(metadata: Metadata, key: string): number | undefined {
  const text = metadata[key];
  if (text === undefined) return undefined;
  const millis = Date.parse(text);
  return Number.isFinite(millis) ? millis : undefined;
}

function clip(text: string): string {
  return text.length <= 200 ? text : text.slice(0, 200);
}
