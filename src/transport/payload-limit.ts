/** The one check every transport makes before sending: no payload over its limit. */
import { TransportError } from "../errors.ts";
import type { OutgoingMessage } from "./transport.ts";

/** The error naming every message whose payload is over `limit` bytes, or undefined when all fit. */
export function oversizedPayloads(
  messages: readonly OutgoingMessage[],
  limit: number,
  queue: string,
): TransportError | undefined {
  const tooLarge = messages.filter((message) => message.payload.length > limit);
  if (tooLarge.length === 0) return undefined;
  return new TransportError("TRANSPORT_PAYLOAD_TOO_LARGE", `payload over the ${limit}-byte limit`, {
    queue,
    messageIds: tooLarge.map((message) => message.id),
  });
}
