/**
 * Standard Webhooks signing (standardwebhooks.com), so receivers and senders in other languages can use their
 * existing verifier libraries: `webhook-signature: v1,<base64 HMAC-SHA256 over "id.timestamp.body">`, keyed by
 * the bytes of a `whsec_<base64>` secret, with `webhook-id` and `webhook-timestamp` (Unix seconds) beside it.
 * Pure functions of their inputs; the clock is a parameter.
 */
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { ConfigError } from "../../errors.ts";

/** The three headers of a signed request. */
export const WebhookHeader = {
  id: "webhook-id",
  timestamp: "webhook-timestamp",
  signature: "webhook-signature",
} as const;

/** How far a signed timestamp may be from the receiver's clock, either way: 5 minutes, as the scheme advises. */
export const WEBHOOK_TOLERANCE_MS = 5 * 60 * 1000;

/** One `whsec_…` secret, or several (all are used to sign; any one verifies), for rotating keys. */
export type WebhookSecrets = string | readonly string[];

/** Headers that {@link signWebhook} returns, named as they go on the wire. */
export interface WebhookHeaders {
  readonly "webhook-id": string;
  readonly "webhook-timestamp": string;
  readonly "webhook-signature": string;
}

/** The signing headers as a receiver found them (absent ones undefined). */
export interface ReceivedWebhookHeaders {
  readonly id: string | undefined;
  readonly timestamp: string | undefined;
  readonly signature: string | undefined;
}

/** Why a signature did not verify. */
export type WebhookFailure = "missing" | "bad-timestamp" | "expired" | "future" | "mismatch";

/** What {@link verifyWebhook} concluded. */
export type WebhookVerification =
  { readonly valid: true } | { readonly valid: false; readonly reason: WebhookFailure; readonly detail: string };

const SECRET_PREFIX = "whsec_";
const MIN_KEY_BYTES = 24;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
const TIMESTAMP = /^\d{1,15}$/;

/** Every problem with a secret, as sentences (empty when it is valid). */
export function webhookSecretProblems(secret: unknown): string[] {
  if (typeof secret !== "string") return ["a secret must be a string"];
  if (!secret.startsWith(SECRET_PREFIX)) return ["a secret must start with whsec_ (whsec_<base64 of the key>)"];
  const encoded = secret.slice(SECRET_PREFIX.length);
  if (!BASE64.test(encoded) || encoded.length % 4 !== 0) return ["a secret's key must be base64 after whsec_"];
  const bytes = Buffer.from(encoded, "base64").length;
  if (bytes < MIN_KEY_BYTES) return [`a secret's key must be at least ${MIN_KEY_BYTES} bytes, this one has ${bytes}`];
  return [];
}

/** The HMAC keys of one or several secrets; throws ConfigError (without quoting the secret) if one is malformed. */
export function webhookKeys(secrets: WebhookSecrets): Buffer[] {
  const list = typeof secrets === "string" ? [secrets] : [...secrets];
  const problems = list.flatMap((secret) => webhookSecretProblems(secret));
  if (list.length === 0) problems.push("no secret given");
  if (problems.length > 0) throw new ConfigError("CONFIG_INVALID", `invalid webhook secret: ${problems.join("; ")}`);
  return list.map((secret) => Buffer.from(secret.slice(SECRET_PREFIX.length), "base64"));
}

/** A new random secret in the `whsec_<base64>` format (32-byte key). */
export function generateWebhookSecret(): string {
  return SECRET_PREFIX + randomBytes(32).toString("base64");
}

/** The base64 HMAC-SHA256 of `id.timestamp.body` under `key` (the body as raw bytes). */
export function webhookSignature(key: Uint8Array, id: string, timestamp: string, body: Uint8Array): string {
  return createHmac("sha256", key).update(`${id}.${timestamp}.`).update(body).digest("base64");
}

/**
 * The headers that sign `body` as message `id` at `nowMs` (default: now): one `v1,` signature per secret,
 * space-separated. Throws ConfigError for a malformed secret.
 */
export function signWebhook(
  secrets: WebhookSecrets | readonly Uint8Array[],
  id: string,
  body: Uint8Array,
  nowMs: number = Date.now(),
): WebhookHeaders {
  const keys = keysOf(secrets);
  const timestamp = String(Math.floor(nowMs / 1000));
  const signature = keys.map((key) => `v1,${webhookSignature(key, id, timestamp, body)}`).join(" ");
  return { "webhook-id": id, "webhook-timestamp": timestamp, "webhook-signature": signature };
}

/**
 * Checks a request's signature: the three headers present, the timestamp within {@link WEBHOOK_TOLERANCE_MS} of
 * `nowMs` either way, and one of the space-separated `v1,` signatures equal (compared in constant time) to the
 * HMAC under one of the secrets. Throws ConfigError only for a malformed secret.
 */
export function verifyWebhook(
  secrets: WebhookSecrets | readonly Uint8Array[],
  headers: ReceivedWebhookHeaders,
  body: Uint8Array,
  nowMs: number = Date.now(),
): WebhookVerification {
  const keys = keysOf(secrets);
  const fresh = checkWebhookTimestamp(headers, nowMs);
  if (!fresh.valid) return fresh;
  const { id = "", timestamp = "", signature = "" } = headers;
  const candidates = signature
    .split(" ")
    .filter((entry) => entry.startsWith("v1,"))
    .map((entry) => Buffer.from(entry.slice(3), "base64"));
  for (const key of keys) {
    const expected = createHmac("sha256", key).update(`${id}.${timestamp}.`).update(body).digest();
    // Check every candidate, so the time taken does not tell which one (if any) matched.
    let matched = false;
    for (const candidate of candidates) {
      if (candidate.length === expected.length && timingSafeEqual(candidate, expected)) matched = true;
    }
    if (matched) return { valid: true };
  }
  return { valid: false, reason: "mismatch", detail: "no signature matches" };
}

/**
 * The checks that need no body: the three headers present and the timestamp within the tolerance window. A
 * receiver runs these before reading the body, and {@link verifyWebhook} runs them again.
 */
export function checkWebhookTimestamp(headers: ReceivedWebhookHeaders, nowMs: number): WebhookVerification {
  const missing = Object.entries(WebhookHeader)
    .filter(([field]) => headers[field as keyof ReceivedWebhookHeaders] === undefined)
    .map(([, name]) => name);
  if (missing.length > 0) return { valid: false, reason: "missing", detail: `missing ${missing.join(", ")}` };
  const timestamp = headers.timestamp ?? "";
  if (!TIMESTAMP.test(timestamp)) {
    return { valid: false, reason: "bad-timestamp", detail: "webhook-timestamp must be Unix seconds" };
  }
  const skewMs = Number(timestamp) * 1000 - nowMs;
  if (skewMs < -WEBHOOK_TOLERANCE_MS) {
    return { valid: false, reason: "expired", detail: "webhook-timestamp is more than 5 minutes old" };
  }
  if (skewMs > WEBHOOK_TOLERANCE_MS) {
    return { valid: false, reason: "future", detail: "webhook-timestamp is more than 5 minutes ahead" };
  }
  return { valid: true };
}

function keysOf(secrets: WebhookSecrets | readonly Uint8Array[]): readonly Uint8Array[] {
  if (typeof secrets === "string") return webhookKeys(secrets);
  const list: readonly (string | Uint8Array)[] = secrets;
  if (list.length === 0) throw new ConfigError("CONFIG_INVALID", "invalid webhook secret: no secret given");
  if (list.every((entry): entry is Uint8Array => entry instanceof Uint8Array)) return list;
  if (list.every((entry): entry is string => typeof entry === "string")) return webhookKeys(list);
  throw new ConfigError("CONFIG_INVALID", "invalid webhook secret: mix of secrets and keys");
}
