/**
 * Options of the AMQP transport: the documented interface, its defaults (applied here and nowhere else) and one
 * validation that reports every bad field at once.
 */
import { readFileSync } from "node:fs";
import process from "node:process";
import type { ChannelModel, SocketOptions } from "amqplib";
import { ConfigError } from "../../errors.ts";
import { silentLogger, type Logger } from "../../logger.ts";

/** Opens a connection the way `amqplib`'s `connect` does; injectable for tests and instrumentation. */
export type AmqpConnect = (url: string, socketOptions: SocketOptions) => Promise<ChannelModel>;

/** The two kinds of durable queue the transport declares. */
export type AmqpQueueType = "classic" | "quorum";

/** The storage version of the classic queues the transport declares (`x-queue-version`). */
export type ClassicQueueVersion = 1 | 2;

/** Options of {@link AmqpTransport}. */
export interface AmqpTransportOptions {
  /**
   * `amqp://user:pass@host:5672/vhost?queue=jobs` or `amqps://…` for TLS. The transport reads `queue` and `type`
   * (`classic` or `quorum`) from the query; amqplib reads the rest (`heartbeat`, `frameMax`, `channelMax`…).
   */
  readonly url: string;
  /** The queue name. @defaultValue the URL's `?queue=` */
  readonly queue?: string;
  /** Queue type of the work queue and its dead-letter queue. @defaultValue the URL's `?type=`, else `classic` */
  readonly queueType?: AmqpQueueType;
  /**
   * `x-queue-version` of the classic queues the transport declares: 2 (RabbitMQ 3.10+) costs the broker less CPU
   * per persistent message. A queue that already exists with another version keeps it and is used as it is.
   * @defaultValue the URL's `?queueVersion=`, else 2
   */
  readonly classicQueueVersion?: ClassicQueueVersion;
  /** Deliveries before a message is dead-lettered. @defaultValue 5 */
  readonly maxAttempts?: number;
  /** Default lease of a delivery, in ms. @defaultValue 30000 */
  readonly leaseMs?: number;
  /** Largest payload accepted, in bytes. @defaultValue 16 MiB */
  readonly maxPayloadBytes?: number;
  /** Shown in the broker's connection list (`connection_name`). @defaultValue `thrift-queue <queue>` */
  readonly connectionName?: string;
  /** First delay before reconnecting, in ms; it doubles up to `reconnectMaxDelayMs`. @defaultValue 100 */
  readonly reconnectInitialDelayMs?: number;
  /** Longest delay between reconnection attempts, in ms. @defaultValue 30000 */
  readonly reconnectMaxDelayMs?: number;
  /** How long `send`, `stats` and `purge` wait for a connection before `TRANSPORT_UNAVAILABLE`. @defaultValue 10000 */
  readonly unavailableTimeoutMs?: number;
  /** Socket and TLS options passed to amqplib (`ca`, `cert`, `key`, `servername`…). @defaultValue {} */
  readonly socketOptions?: SocketOptions;
  /**
   * For `amqps://`: a PEM file of the certificate authorities to trust (a broker whose certificate a private CA
   * signed), read once at construction into `socketOptions.ca`. Ignored for `amqp://`.
   * @defaultValue the URL's `?ca=`, else `THRIFT_QUEUE_AMQP_CA`, else Node's bundled CAs
   */
  readonly caFile?: string;
  /** Read `THRIFT_QUEUE_AMQP_CA` when no CA file is given. @defaultValue true */
  readonly useEnvironment?: boolean;
  /** The environment to read it from. @defaultValue process.env */
  readonly environment?: Readonly<Record<string, string | undefined>>;
  /** Where the transport logs reconnects and recoveries. @defaultValue silent */
  readonly logger?: Logger;
  /** How connections are opened. @defaultValue amqplib's `connect`, loaded on first use */
  readonly connect?: AmqpConnect;
}

/** {@link AmqpTransportOptions} with every default applied and the URL split. */
export interface ResolvedAmqpOptions {
  /** The URL given to amqplib, without the transport's own query parameters. */
  readonly brokerUrl: string;
  /** The URL without credentials, for logs and errors. */
  readonly displayUrl: string;
  readonly queue: string;
  readonly queueType: AmqpQueueType;
  readonly classicQueueVersion: ClassicQueueVersion;
  readonly maxAttempts: number;
  readonly leaseMs: number;
  readonly maxPayloadBytes: number;
  readonly connectionName: string;
  readonly reconnectInitialDelayMs: number;
  readonly reconnectMaxDelayMs: number;
  readonly unavailableTimeoutMs: number;
  readonly socketOptions: SocketOptions;
  readonly logger: Logger;
  readonly connect: AmqpConnect;
}

const MiB = 1024 * 1024;
/** Longest queue name accepted, leaving room for the `.delay.<ms>` suffix within AMQP's 255 bytes. */
const MAX_QUEUE_NAME_BYTES = 200;
/** Query parameters the transport reads (directly or through `openTransport`); amqplib gets the others. */
const QUERY_KEYS = [
  "queue",
  "type",
  "queueVersion",
  "maxAttempts",
  "leaseMs",
  "maxPayloadBytes",
  "unavailableTimeoutMs",
  "ca",
] as const;
/** The environment variable naming the CA file of `amqps://` connections. */
export const AMQP_CA_ENVIRONMENT_VARIABLE = "THRIFT_QUEUE_AMQP_CA";

const defaultConnect: AmqpConnect = async (url, socketOptions) => {
  // Loaded lazily, so a user of another transport never loads amqplib.
  const amqplib = await import("amqplib");
  return amqplib.connect(url, socketOptions);
};

/** Applies defaults and validates; throws ConfigError naming every bad field. */
export function resolveAmqpOptions(options: AmqpTransportOptions): ResolvedAmqpOptions {
  const problems: string[] = [];
  const url = parseUrl(options.url, problems);
  const queue = options.queue ?? url?.searchParams.get("queue") ?? "";
  const queueType = options.queueType ?? url?.searchParams.get("type") ?? "classic";
  const queueVersion = options.classicQueueVersion ?? Number(url?.searchParams.get("queueVersion") ?? 2);
  if (queueVersion !== 1 && queueVersion !== 2) {
    problems.push(
      `classic queue version ${String(url?.searchParams.get("queueVersion") ?? queueVersion)} must be 1 or 2`,
    );
  }
  checkQueueName(queue, problems);
  if (queueType !== "classic" && queueType !== "quorum") {
    problems.push(`queue type ${JSON.stringify(queueType)} must be "classic" or "quorum"`);
  }
  const resolved = {
    maxAttempts: positiveInteger("maxAttempts", options.maxAttempts ?? 5, problems),
    leaseMs: positiveInteger("leaseMs", options.leaseMs ?? 30_000, problems),
    maxPayloadBytes: positiveInteger("maxPayloadBytes", options.maxPayloadBytes ?? 16 * MiB, problems),
    reconnectInitialDelayMs: positiveInteger(
      "reconnectInitialDelayMs",
      options.reconnectInitialDelayMs ?? 100,
      problems,
    ),
    reconnectMaxDelayMs: positiveInteger("reconnectMaxDelayMs", options.reconnectMaxDelayMs ?? 30_000, problems),
    unavailableTimeoutMs: positiveInteger("unavailableTimeoutMs", options.unavailableTimeoutMs ?? 10_000, problems),
  };
  const socketOptions = url ? tlsSocketOptions(options, url, problems) : {};
  if (problems.length > 0 || !url) {
    throw new ConfigError("CONFIG_INVALID", `invalid AMQP transport options: ${problems.join("; ")}`);
  }
  for (const key of QUERY_KEYS) url.searchParams.delete(key);
  return {
    ...resolved,
    brokerUrl: url.toString(),
    displayUrl: redact(url),
    queue,
    queueType: queueType as AmqpQueueType,
    classicQueueVersion: queueVersion as ClassicQueueVersion,
    connectionName: options.connectionName ?? `thrift-queue ${queue}`,
    socketOptions,
    logger: options.logger ?? silentLogger,
    connect: options.connect ?? defaultConnect,
  };
}

/** `socketOptions`, with the CA file's certificates as `ca` on an `amqps:` URL that names one. */
function tlsSocketOptions(options: AmqpTransportOptions, url: URL, problems: string[]): SocketOptions {
  const socketOptions = options.socketOptions ?? {};
  if (url.protocol !== "amqps:") return socketOptions;
  const environment = options.useEnvironment === false ? {} : (options.environment ?? process.env);
  const named = options.caFile ?? url.searchParams.get("ca") ?? environment[AMQP_CA_ENVIRONMENT_VARIABLE];
  if (named === undefined || named === "") return socketOptions;
  if (socketOptions.ca !== undefined) {
    problems.push("a CA file and socketOptions.ca were both given; use one");
    return socketOptions;
  }
  try {
    return { ...socketOptions, ca: readFileSync(named) };
  } catch (error) {
    problems.push(`cannot read the CA file ${named} (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
    return socketOptions;
  }
}

function parseUrl(text: string, problems: string[]): URL | undefined {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    problems.push("url is not a valid URL");
    return undefined;
  }
  if (url.protocol !== "amqp:" && url.protocol !== "amqps:") {
    problems.push(`url scheme ${JSON.stringify(url.protocol)} must be amqp: or amqps:`);
    return undefined;
  }
  return url;
}

function checkQueueName(queue: string, problems: string[]): void {
  if (queue === "") problems.push("queue is missing (set `queue` or the URL's ?queue=)");
  else if (queue.startsWith("amq.")) problems.push(`queue ${JSON.stringify(queue)} must not start with "amq."`);
  else if (Buffer.byteLength(queue) > MAX_QUEUE_NAME_BYTES) {
    problems.push(`queue name is longer than ${MAX_QUEUE_NAME_BYTES} bytes`);
  }
}

function positiveInteger(name: string, value: number, problems: string[]): number {
  if (!Number.isSafeInteger(value) || value <= 0) problems.push(`${name} must be a positive integer, got ${value}`);
  return value;
}

function redact(url: URL): string {
  const copy = new URL(url.toString());
  if (copy.password !== "") copy.password = "***";
  return copy.toString();
}
