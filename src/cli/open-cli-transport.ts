/** Opens the transport named by `--transport`, turning its failures into one-line CLI errors. */
import { ThriftQueueError, TransportError } from "../errors.ts";
import { openTransport } from "../transport/open-transport.ts";
import type { Transport } from "../transport/transport.ts";
import { parseTransportUrl, redact, transportUrlFromEnvironment } from "../transport/transport-url.ts";
import { usageError } from "./usage-error.ts";

/** What a command sets on the transport beyond its URL. */
export interface CliTransportOptions {
  /** Dead-letter after this many deliveries (`--dlq-after`); wins over the URL and `THRIFT_QUEUE_MAX_ATTEMPTS`. */
  readonly maxAttempts?: number;
  /**
   * How long to wait for a broker connection before failing (AMQP's `unavailableTimeoutMs`), unless the URL sets
   * it. @defaultValue the transport's own
   */
  readonly connectTimeoutMs?: number;
}

/** Opens a transport; an unreachable broker or missing credentials become a TransportError naming the URL. */
export async function openCliTransport(url: string | undefined, options: CliTransportOptions = {}): Promise<Transport> {
  if (url === undefined || url === "") throw usageError("missing --transport");
  try {
    return await openTransport(withCliOptions(url, options), { useEnvironment: false });
  } catch (error) {
    if (error instanceof ThriftQueueError) throw error;
    const reason = error instanceof Error ? error.message : String(error);
    throw new TransportError("TRANSPORT_UNAVAILABLE", `cannot open ${redact(url)}: ${reason}`, { cause: error });
  }
}

/** The URL after the environment's overrides, with the command's own settings put in its query. */
function withCliOptions(text: string, options: CliTransportOptions): string {
  const withEnvironment = transportUrlFromEnvironment(text);
  if (options.maxAttempts === undefined && options.connectTimeoutMs === undefined) return withEnvironment;
  // Parsed first, so that a bad URL is reported as such (the transport's message) rather than as a URL error here.
  const { kind, url } = parseTransportUrl(withEnvironment);
  const result = new URL(url.toString());
  if (options.maxAttempts !== undefined) result.searchParams.set("maxAttempts", String(options.maxAttempts));
  if (options.connectTimeoutMs !== undefined && kind === "amqp" && !result.searchParams.has("unavailableTimeoutMs")) {
    result.searchParams.set("unavailableTimeoutMs", String(options.connectTimeoutMs));
  }
  return result.toString();
}
