/**
 * Opens a transport from its URL. Each family is imported only when its scheme is used, so an SQS user never
 * loads amqplib and the reverse (kombu's transport aliases).
 */
import process from "node:process";
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

/**
 * The environment variables a transport family may read (`THRIFT_QUEUE_SQS_*`, `THRIFT_QUEUE_HTTP_*` …): the
 * process's own, or none at all when `openTransport` is told `useEnvironment: false`.
 */
export type TransportEnvironment = Readonly<Record<string, string | undefined>>;

/**
 * Opens one transport family from a parsed URL. An opener reads environment variables from `environment` only,
 * never from `process.env`, so that `useEnvironment: false` reaches every override.
 */
export type TransportOpener = (
  url: TransportUrl,
  settings: CommonTransportSettings,
  environment: TransportEnvironment,
) => Promise<Transport>;

/** What openers see when the environment is not to be read. */
const NO_ENVIRONMENT: TransportEnvironment = Object.freeze({});

const openers: Record<TransportKind, TransportOpener> = {
  memory: async (url, settings) => {
    const { MemoryTransport } = await import("./memory/memory-transport.ts");
    return new MemoryTransport({ queue: url.queue, ...settings });
  },
  sqlite: async (url, settings) => (await import("./sqlite/sqlite-opener.ts")).openSqliteTransport(url, settings),
  sqs: async (url, settings, environment) =>
    (await import("./sqs/sqs-opener.ts")).openSqsTransport(url, settings, environment),
  amqp: async (url, settings, environment) =>
    (await import("./amqp/amqp-opener.ts")).openAmqpTransport(url, settings, environment),
  http: async (url, settings, environment) =>
    (await import("./http/http-opener.ts")).openHttpTransport(url, settings, environment),
};

/** Registers the opener of a transport family (used by each family's module and by tests). */
export function registerTransportOpener(kind: TransportKind, opener: TransportOpener): void {
  openers[kind] = opener;
}

/**
 * Opens the transport a URL names. Throws ConfigError for a bad URL or option. With `useEnvironment: false` no
 * `THRIFT_QUEUE_*` variable is read, neither the common ones here nor a family's own.
 */
export async function openTransport(urlText: string, options: OpenTransportOptions = {}): Promise<Transport> {
  const environment: TransportEnvironment = options.useEnvironment === false ? NO_ENVIRONMENT : process.env;
  const text = options.useEnvironment === false ? urlText : transportUrlFromEnvironment(urlText, process.env);
  const url = parseTransportUrl(text);
  const settings: CommonTransportSettings = {
    maxAttempts: numericParam(url, "maxAttempts", options.maxAttempts ?? 5),
    leaseMs: numericParam(url, "leaseMs", options.leaseMs ?? 30_000),
  };
  if (settings.maxAttempts < 1 || !Number.isInteger(settings.maxAttempts)) {
    throw new ConfigError("CONFIG_INVALID", `maxAttempts must be a whole number ≥ 1, got ${settings.maxAttempts}`);
  }
  return openers[url.kind](url, settings, environment);
}
