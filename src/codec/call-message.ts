import { CodecError } from "../errors.ts";
import { toCodecError } from "./codec-error-boundary.ts";
import { createWriter } from "./factory.ts";
import type { CodecLimits } from "./limits.ts";
import { MessageType, type MessageHeader, type MessageTypeId, type ProtocolName } from "./protocol.ts";
import { returnReader, takeReader } from "./reader-pool.ts";
import type { PooledReader } from "./reader-pool.ts";
import type { MethodDescriptor, ServiceDescriptor } from "./service-descriptor.ts";

/** How a call is framed. */
export interface EncodeCallOptions {
  /** @defaultValue "binary" */
  protocol?: ProtocolName;
  /** Name the message `Service:method`, as TMultiplexedProtocol does. @defaultValue false */
  multiplexed?: boolean;
  /** @defaultValue 0 */
  seqid?: number;
}

/** Writes a complete call message: header (ONEWAY for oneway methods, CALL otherwise) then the args struct. */
export function encodeCallMessage<Args>(
  service: ServiceDescriptor,
  method: MethodDescriptor<Args>,
  args: Args,
  options: EncodeCallOptions = {},
): Uint8Array {
  const writer = createWriter(options.protocol ?? "binary");
  const name = options.multiplexed ? `${service.name}:${method.name}` : method.name;
  const type: MessageTypeId = method.oneway ? MessageType.ONEWAY : MessageType.CALL;
  try {
    writer.writeMessageBegin(name, type, options.seqid ?? 0);
    method.args.write(args, writer);
  } catch (error) {
    throw toCodecError(error, "CODEC_INVALID_VALUE");
  }
  return writer.finish();
}

/** A call read off the wire and matched to a generated service. */
export interface DecodedCallMessage {
  readonly header: MessageHeader;
  readonly service: ServiceDescriptor;
  readonly method: MethodDescriptor;
  readonly args: unknown;
}

/** How a call is read. */
export interface DecodeCallOptions {
  /** @defaultValue "binary" */
  protocol?: ProtocolName;
  limits?: Partial<CodecLimits>;
}

/**
 * Reads a CALL or ONEWAY message and decodes its arguments with the matching service's codecs. A multiplexed
 * name selects the service; a plain name must belong to exactly one of `services`.
 */
export function decodeCallMessage(
  services: readonly ServiceDescriptor[],
  bytes: Uint8Array,
  options: DecodeCallOptions = {},
): DecodedCallMessage {
  let reader: PooledReader | undefined;
  try {
    reader = takeReader(bytes, options.protocol ?? "binary", options.limits);
    const header = reader.readMessageBegin();
    if (header.type !== MessageType.CALL && header.type !== MessageType.ONEWAY) {
      throw new CodecError("CODEC_INVALID_VALUE", `expected a CALL or ONEWAY message, got message type ${header.type}`);
    }
    const { service, method } = findMethod(services, header.name);
    return { header, service, method, args: method.args.read(reader) };
  } catch (error) {
    throw toCodecError(error, "CODEC_UNKNOWN");
  } finally {
    if (reader) returnReader(reader);
  }
}

function findMethod(
  services: readonly ServiceDescriptor[],
  messageName: string,
): { service: ServiceDescriptor; method: MethodDescriptor } {
  const separator = messageName.indexOf(":");
  const serviceName = separator === -1 ? undefined : messageName.slice(0, separator);
  const methodName = separator === -1 ? messageName : messageName.slice(separator + 1);
  const candidates = services.filter(
    (service) =>
      (serviceName === undefined || service.name === serviceName) && Object.hasOwn(service.methods, methodName),
  );
  const [match] = candidates;
  if (match === undefined) {
    throw new CodecError("CODEC_INVALID_VALUE", `unknown method ${JSON.stringify(messageName)}`);
  }
  if (candidates.length > 1) {
    const names = candidates.map((service) => service.name).join(", ");
    throw new CodecError("CODEC_INVALID_VALUE", `method ${JSON.stringify(methodName)} is ambiguous between ${names}`);
  }
  const method = match.methods[methodName];
  if (method === undefined) throw new CodecError("CODEC_INVALID_VALUE", `unknown method ${methodName}`);
  return { service: match, method };
}
