/**
 * Transport URLs: one string selects the broker and the queue, so the same code runs over any transport.
 *
 *   memory://<queue>
 *   sqlite:<path>?queue=<queue>                      (the embedded default)
 *   sqs://<queue>?region=…&endpoint=…  or  https://sqs.<region>.amazonaws.com/<account>/<queue>
 *   amqp://user:pass@host:5672/vhost?queue=<queue>   (amqps:// for TLS)
 *   http://host:port/path, https://…                  (a worker's HTTP receiver)
 *
 * Query parameters other than `queue` are transport options (`maxAttempts`, `leaseMs` …), parsed by each
 * transport; environment variables override them (see {@link transportUrlFromEnvironment}).
 */
import process from "node:process";
import { ConfigError } from "../errors.ts";

/** The transport families. */
export type TransportKind = "memory" | "sqlite" | "sqs" | "amqp" | "http";

/** A parsed transport URL. */
export interface TransportUrl {
  readonly kind: TransportKind;
  /** The queue name. */
  readonly queue: string;
  /** The URL as given (credentials included), for the transport to read its own parts. */
  readonly url: URL;
  /** Query parameters other than `queue`. */
  readonly params: ReadonlyMap<string, string>;
}

const SQS_HOST = /^sqs[.-]([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?$/;

/** Parses a transport URL; throws ConfigError (`CONFIG_INVALID`) with the reason. */
export function parseTransportUrl(text: string): TransportUrl {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw invalid(text, "not a URL");
  }
  const params = new Map([...url.searchParams].filter(([key]) => key !== "queue"));
  const queueParam = url.searchParams.get("queue") ?? undefined;
  switch (url.protocol) {
    case "memory:":
      return { kind: "memory", queue: required(text, decodeURIComponent(url.host + url.pathname)), url, params };
    case "sqlite:":
      if (url.pathname === "") throw invalid(text, "sqlite: needs a file path, e.g. sqlite:.data/queue.db?queue=jobs");
      return { kind: "sqlite", queue: queueParam ?? "default", url, params };
    case "sqs:":
      return { kind: "sqs", queue: required(text, decodeURIComponent(url.host + url.pathname)), url, params };
    case "amqp:":
    case "amqps:":
      return { kind: "amqp", queue: required(text, queueParam ?? ""), url, params };
    case "http:":
    case "https:":
      if (SQS_HOST.test(url.hostname) || /^\/\d{12}\/[^/]+$/.test(url.pathname)) {
        return { kind: "sqs", queue: required(text, url.pathname.split("/").pop() ?? ""), url, params };
      }
      return { kind: "http", queue: queueParam ?? (url.pathname.replace(/^\/+|\/+$/g, "") || "default"), url, params };
    default:
      throw invalid(
        text,
        `unknown scheme ${JSON.stringify(url.protocol)}; use memory:, sqlite:, sqs:, amqp:, amqps:, http: or https:`,
      );
  }
}

/** Reads a numeric query parameter (or its environment override); throws ConfigError if it is not a number. */
export function numericParam(parsed: TransportUrl, name: string, fallback: number): number {
  const text = parsed.params.get(name);
  if (text === undefined) return fallback;
  const value = Number(text);
  if (text.trim() === "" || !Number.isFinite(value) || value < 0) {
    throw new ConfigError("CONFIG_INVALID", `${name} must be a non-negative number, got ${JSON.stringify(text)}`);
  }
  return value;
}

/**
 * Applies environment overrides: `THRIFT_QUEUE_TRANSPORT` replaces the URL; `THRIFT_QUEUE_MAX_ATTEMPTS`,
 * `THRIFT_QUEUE_LEASE_MS` replace those query parameters.
 */
export function transportUrlFromEnvironment(text: string, env: NodeJS.ProcessEnv = process.env): string {
  const url = new URL(env["THRIFT_QUEUE_TRANSPORT"] ?? text);
  const overrides: Record<string, string | undefined> = {
    maxAttempts: env["THRIFT_QUEUE_MAX_ATTEMPTS"],
    leaseMs: env["THRIFT_QUEUE_LEASE_MS"],
  };
  for (const [key, value] of Object.entries(overrides)) if (value !== undefined) url.searchParams.set(key, value);
  return url.toString();
}

function required(text: string, queue: string): string {
  if (queue === "") throw invalid(text, "no queue name");
  return queue;
}

function invalid(text: string, reason: string): ConfigError {
  return new ConfigError("CONFIG_INVALID", `invalid transport URL ${JSON.stringify(redact(text))}: ${reason}`);
}

/** The URL with any password replaced, for messages and logs. */
export function redact(text: string): string {
  try {
    const url = new URL(text);
    if (url.password !== "") url.password = "***";
    return url.toString();
  } catch {
    return text.replace(/\/\/([^:/@]+):[^@/]*@/, "//$1:***@");
  }
}
