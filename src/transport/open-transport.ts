/**
 * Opens a transport from its URL. Each family is imported only when its scheme is used, so an SQS user never
 * loads amqplib and the reverse (kombu's transport aliases).
 */
import { ConfigError } from "../errors.ts";
import type { Transport } from "./transport.ts";
import {
  numericParam,
  parseTransportUrl,
  transportUrlFromEnvironment,
  type TransportKind,
  type TransportUrl,
} from "./transport-url.ts";

/** Options that do not fit in a URL; URL query parameters and environment variables win over these defaults. */
export interface OpenTransportOptions {
  /** Deliveries before a message is dead-lettered. @defaultValue 5 */
  readonly maxAttempts?: number;
  /** Default lease of a delivery, in ms. @defaultValue 30000 */
  readonly leaseMs?: number;
  /** Read `THRIFT_QUEUE_*` environment overrides. @defaultValue true */
  readonly useEnvironment?: boolean;
}

/** Settings every transport family understands, resolved from options, URL and environment. */
export interface CommonTransportSettings {
  readonly maxAttempts: number;
  readonly leaseMs: number;
}

/** Opens one transport family from a parsed URL. */
export type TransportOpener = (url: TransportUrl, settings: CommonTransportSettings) => Promise<Transport>;

const openers: Record<TransportKind, TransportOpener> = {
  memory: async (url, settings) => {
    const { MemoryTransport } = await import("./memory/memory-transport.ts");
    return new MemoryTransport({ queue: url.queue, ...settings });
  },
  sqlite: async (url, settings) => (await import("./sqlite/sqlite-opener.ts")).openSqliteTransport(url, settings),
  sqs: async (url, settings) => (await import("./sqs/sqs-opener.ts")).openSqsTransport(url, settings),
  amqp: async (url, settings) => (await import("./amqp/amqp-opener.ts")).openAmqpTransport(url, settings),
  http: async (url, settings) => (await import("./http/http-opener.ts")).openHttpTransport(url, settings),
};

/** Registers the opener of a transport family (used by each family's module and by tests). */
export function registerTransportOpener(kind: TransportKind, opener: TransportOpener): void {
  openers[kind] = opener;
}

/** Opens the transport a URL names. Throws ConfigError for a bad URL or option. */
export async function openTransport(urlText: string, options: OpenTransportOptions = {}): Promise<Transport> {
  const text = options.useEnvironment === false ? urlText : transportUrlFromEnvironment(urlText);
  const url = parseTransportUrl(text);
  const settings: CommonTransportSettings = {
    maxAttempts: numericParam(url, "maxAttempts", options.maxAttempts ?? 5),
    leaseMs: numericParam(url, "leaseMs", options.leaseMs ?? 30_000),
  };
  if (settings.maxAttempts < 1 || !Number.isInteger(settings.maxAttempts)) {
    throw new ConfigError("CONFIG_INVALID", `maxAttempts must be a whole number ≥ 1, got ${settings.maxAttempts}`);
  }
  return openers[url.kind](url, settings);
}
