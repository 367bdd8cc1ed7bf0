/** Options of the HTTP transport, their defaults (applied here only) and their validation. */
import process from "node:process";
import { ConfigError } from "../../errors.ts";
import { silentLogger, type Logger } from "../../logger.ts";
import { parseTransportUrl } from "../transport-url.ts";
import { webhookSecretProblems, type WebhookSecrets } from "./webhook-signature.ts";

/** Options of {@link HttpTransport}. Producer-side options matter where it sends, receiver-side where it listens. */
export interface HttpTransportOptions {
  /** `http://host:port/path` or `https://…`: where producers POST, and where the receiver listens. */
  url: string;
  /** Queue name. @defaultValue the URL's `queue` parameter, else its path (`/thumbnails` → `thumbnails`) */
  queue?: string;
  /**
   * Standard Webhooks secret(s), `whsec_<base64 key>`: producers sign with every one, receivers accept any one.
   * @defaultValue `THRIFT_QUEUE_HTTP_SECRET` (space-separated for several), else none
   */
  secret?: WebhookSecrets;
  /** Receiver: refuse (401) requests without a valid signature. @defaultValue true when a secret is set */
  requireSignature?: boolean;
  /** Receiver: refuse (400) a body that does not start with a Thrift CALL or ONEWAY message header. @defaultValue true */
  requireThriftMessage?: boolean;
  /** Largest payload, in bytes: producers refuse larger ones, receivers answer 413. @defaultValue 1 MiB */
  maxPayloadBytes?: number;
  /** Receiver: most jobs held (waiting, delayed, in flight); when full, POSTs get 429. @defaultValue 1000 */
  maxPending?: number;
  /** Receiver: most payload bytes held; when full, POSTs get 429. @defaultValue 64 MiB */
  maxPendingBytes?: number;
  /** Receiver: most dead letters kept in memory; the oldest is dropped (with a warning) past it. @defaultValue 1000 */
  maxDeadLetters?: number;
  /** Receiver: most job ids remembered to answer replays (each for 10 minutes). @defaultValue 100000 */
  replayCacheSize?: number;
  /** Deliveries before a job is dead-lettered. @defaultValue 5 */
  maxAttempts?: number;
  /** Default lease of a delivery, in ms. @defaultValue 30000 */
  leaseMs?: number;
  /** Receiver: the address to bind, e.g. `0.0.0.0` behind a public host name. @defaultValue the URL's host */
  host?: string;
  /** Receiver: the port to bind (0: any free port). @defaultValue the URL's port (80 or 443 when absent) */
  port?: number;
  /** Receiver over https: the TLS private key (PEM). */
  key?: string | Buffer;
  /** Receiver over https: the TLS certificate chain (PEM). */
  cert?: string | Buffer;
  /** Producer over https: certificate authorities to trust instead of the system's (PEM). */
  ca?: string | Buffer;
  /** Producer: tries per message, for 429, 503, other 5xx and network errors. @defaultValue 5 */
  maxSendAttempts?: number;
  /** Producer: backoff before the first retry, in ms (doubling, with jitter). @defaultValue 200 */
  retryBaseDelayMs?: number;
  /** Producer: longest wait between tries, Retry-After included, in ms. @defaultValue 5000 */
  retryMaxDelayMs?: number;
  /** Producer: time allowed for one POST; receiver: for one request to arrive. @defaultValue 30000 */
  requestTimeoutMs?: number;
  /** Producer: most concurrent POSTs (sockets kept alive per receiver). @defaultValue 16 */
  maxSockets?: number;
  /** Read `THRIFT_QUEUE_HTTP_SECRET` when no secret is given. @defaultValue true */
  useEnvironment?: boolean;
  /** Where warnings go (dead letters dropped, failed requests). @defaultValue silent */
  logger?: Logger;
  /** Clock, for tests. @defaultValue Date.now */
  now?: () => number;
}

/** Options with every default applied and the URL taken apart. */
export interface ResolvedHttpOptions {
  /** Where to POST: the URL without query or fragment. */
  readonly target: URL;
  readonly queue: string;
  /** The route the receiver serves: the URL's path without trailing slashes. */
  readonly route: string;
  readonly secrets: readonly string[];
  readonly requireSignature: boolean;
  readonly requireThriftMessage: boolean;
  readonly maxPayloadBytes: number;
  readonly maxPending: number;
  readonly maxPendingBytes: number;
  readonly maxDeadLetters: number;
  readonly replayCacheSize: number;
  readonly maxAttempts: number;
  readonly leaseMs: number;
  readonly host: string;
  readonly port: number;
  readonly key: string | Buffer | undefined;
  readonly cert: string | Buffer | undefined;
  readonly ca: string | Buffer | undefined;
  readonly maxSendAttempts: number;
  readonly retryBaseDelayMs: number;
  readonly retryMaxDelayMs: number;
  readonly requestTimeoutMs: number;
  readonly maxSockets: number;
  readonly logger: Logger;
  readonly now: () => number;
}

/** The environment variable holding the secret(s) when the options give none. */
export const SECRET_ENVIRONMENT_VARIABLE = "THRIFT_QUEUE_HTTP_SECRET";

const MiB = 1024 * 1024;
const DEFAULTS = {
  requireThriftMessage: true,
  maxPayloadBytes: MiB,
  maxPending: 1000,
  maxPendingBytes: 64 * MiB,
  maxDeadLetters: 1000,
  replayCacheSize: 100_000,
  maxAttempts: 5,
  leaseMs: 30_000,
  maxSendAttempts: 5,
  retryBaseDelayMs: 200,
  retryMaxDelayMs: 5000,
  requestTimeoutMs: 30_000,
  maxSockets: 16,
} as const;

/** Applies the defaults; throws one ConfigError naming every bad field (see {@link validateHttpOptions}). */
export function resolveHttpOptions(
  options: HttpTransportOptions,
  env: NodeJS.ProcessEnv = process.env,
): ResolvedHttpOptions {
  const problems = validateHttpOptions(options, env);
  if (problems.length > 0) {
    throw new ConfigError("CONFIG_INVALID", `invalid HTTP transport options: ${problems.join("; ")}`);
  }
  const url = new URL(options.url);
  const secrets = secretsOf(options, env);
  const defaultPort = url.protocol === "https:" ? 443 : 80;
  return {
    target: new URL(url.origin + url.pathname),
    queue: options.queue ?? parseTransportUrl(options.url).queue,
    route: normalizeRoute(url.pathname),
    secrets,
    requireSignature: options.requireSignature ?? secrets.length > 0,
    requireThriftMessage: options.requireThriftMessage ?? DEFAULTS.requireThriftMessage,
    maxPayloadBytes: options.maxPayloadBytes ?? DEFAULTS.maxPayloadBytes,
    maxPending: options.maxPending ?? DEFAULTS.maxPending,
    maxPendingBytes: options.maxPendingBytes ?? Math.max(DEFAULTS.maxPendingBytes, options.maxPayloadBytes ?? 0),
    maxDeadLetters: options.maxDeadLetters ?? DEFAULTS.maxDeadLetters,
    replayCacheSize: options.replayCacheSize ?? DEFAULTS.replayCacheSize,
    maxAttempts: options.maxAttempts ?? DEFAULTS.maxAttempts,
    leaseMs: options.leaseMs ?? DEFAULTS.leaseMs,
    host: options.host ?? url.hostname.replace(/^\[(.*)\]$/, "$1"),
    port: options.port ?? (url.port === "" ? defaultPort : Number(url.port)),
    key: options.key,
    cert: options.cert,
    ca: options.ca,
    maxSendAttempts: options.maxSendAttempts ?? DEFAULTS.maxSendAttempts,
    retryBaseDelayMs: options.retryBaseDelayMs ?? DEFAULTS.retryBaseDelayMs,
    retryMaxDelayMs: options.retryMaxDelayMs ?? DEFAULTS.retryMaxDelayMs,
    requestTimeoutMs: options.requestTimeoutMs ?? DEFAULTS.requestTimeoutMs,
    maxSockets: options.maxSockets ?? DEFAULTS.maxSockets,
    logger: options.logger ?? silentLogger,
    now: options.now ?? Date.now,
  };
}

/** Every problem with the options, as readable sentences (empty when they are valid). Never quotes a secret. */
export function validateHttpOptions(options: HttpTransportOptions, env: NodeJS.ProcessEnv = process.env): string[] {
  const problems: string[] = [];
  problems.push(...urlProblems(options.url));
  if (options.queue !== undefined && (typeof options.queue !== "string" || options.queue === "")) {
    problems.push("queue must be a non-empty string");
  }
  const secrets = secretsOf(options, env);
  const secretProblems = [...new Set(secrets.flatMap((secret) => webhookSecretProblems(secret)))];
  if (secretProblems.length > 0) problems.push(`secret: ${secretProblems.join(", ")}`);
  for (const name of ["requireSignature", "requireThriftMessage", "useEnvironment"] as const) {
    if (options[name] !== undefined && typeof options[name] !== "boolean") problems.push(`${name} must be a boolean`);
  }
  if (options.requireSignature === true && secrets.length === 0) {
    problems.push(`requireSignature needs a secret (option secret or ${SECRET_ENVIRONMENT_VARIABLE})`);
  }
  const integer = (name: keyof typeof DEFAULTS | "port", min: number, max = Number.MAX_SAFE_INTEGER): void => {
    const value = options[name];
    if (value === undefined) return;
    if (typeof value !== "number" || !Number.isSafeInteger(value) || value < min || value > max) {
      problems.push(`${name} must be an integer from ${min} to ${max}, not ${String(value)}`);
    }
  };
  integer("maxPayloadBytes", 0, 2 ** 31 - 1);
  integer("maxPending", 1);
  integer("maxPendingBytes", 1);
  integer("maxDeadLetters", 0);
  integer("replayCacheSize", 0);
  integer("maxAttempts", 1);
  integer("leaseMs", 1, 2_147_483_647);
  integer("port", 0, 65_535);
  integer("maxSendAttempts", 1, 100);
  integer("retryBaseDelayMs", 0, 2_147_483_647);
  integer("retryMaxDelayMs", 0, 2_147_483_647);
  integer("requestTimeoutMs", 1, 2_147_483_647);
  integer("maxSockets", 1, 1024);
  const { maxPayloadBytes, maxPendingBytes, retryBaseDelayMs, retryMaxDelayMs } = options;
  if (maxPayloadBytes !== undefined && maxPendingBytes !== undefined && maxPendingBytes < maxPayloadBytes) {
    problems.push("maxPendingBytes must be at least maxPayloadBytes, or no job of the largest size would fit");
  }
  if (retryBaseDelayMs !== undefined && retryMaxDelayMs !== undefined && retryMaxDelayMs < retryBaseDelayMs) {
    problems.push("retryMaxDelayMs must be at least retryBaseDelayMs");
  }
  if (options.host !== undefined && (typeof options.host !== "string" || options.host === "")) {
    problems.push("host must be a non-empty string");
  }
  if ((options.key === undefined) !== (options.cert === undefined)) problems.push("key and cert go together");
  if (options.key !== undefined && !String(options.url).startsWith("https:"))
    problems.push("key and cert need an https: URL");
  if (options.logger !== undefined && typeof options.logger.warn !== "function") problems.push("logger is invalid");
  if (options.now !== undefined && typeof options.now !== "function") problems.push("now must be a function");
  return problems;
}

/** Problems a receiver has that a producer does not: TLS material for https. */
export function receiverProblems(options: ResolvedHttpOptions): string[] {
  if (options.target.protocol === "https:" && (options.key === undefined || options.cert === undefined)) {
    return ["an https: receiver needs key and cert"];
  }
  return [];
}

/** A path as a route: trailing slashes removed, `/` for the root. */
export function normalizeRoute(pathname: string): string {
  const trimmed = pathname.replace(/\/+$/, "");
  return trimmed === "" ? "/" : trimmed;
}

function secretsOf(options: HttpTransportOptions, env: NodeJS.ProcessEnv): string[] {
  if (options.secret !== undefined) return typeof options.secret === "string" ? [options.secret] : [...options.secret];
  if (options.useEnvironment === false) return [];
  const fromEnvironment = env[SECRET_ENVIRONMENT_VARIABLE]?.trim() ?? "";
  return fromEnvironment === "" ? [] : fromEnvironment.split(/\s+/);
}

function urlProblems(text: unknown): string[] {
  if (typeof text !== "string") return ["url must be a string"];
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return [`url ${JSON.stringify(text)} is not a URL`];
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") return ["url must start with http: or https:"];
  if (url.username !== "" || url.password !== "") return ["url must not carry credentials (use a secret)"];
  try {
    if (parseTransportUrl(text).kind !== "http") return ["url names an SQS queue, not an HTTP receiver"];
  } catch (error) {
    return [error instanceof Error ? error.message : String(error)];
  }
  return [];
}
