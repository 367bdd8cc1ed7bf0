/** Opens the transport named by `--transport`, turning its failures into one-line CLI errors. */
import { ThriftQueueError, TransportError } from "../errors.ts";
import { openTransport } from "../transport/open-transport.ts";
import type { Transport } from "../transport/transport.ts";
import { redact } from "../transport/transport-url.ts";
import { usageError } from "./usage-error.ts";

/** Opens a transport; an unreachable broker or missing credentials become a TransportError naming the URL. */
export async function openCliTransport(url: string | undefined): Promise<Transport> {
  if (url === undefined || url === "") throw usageError("missing --transport");
  try {
    return await openTransport(url);
  } catch (error) {
    if (error instanceof ThriftQueueError) throw error;
    const reason = error instanceof Error ? error.message : String(error);
    throw new TransportError("TRANSPORT_UNAVAILABLE", `cannot open ${redact(url)}: ${reason}`, { cause: error });
  }
}
