/**
 * The receiver's answer to one request: 202 with the job id once the job is in the route's buffer, or the status
 * that says why not (405, 404, 503, 401, 415, 413, 429, 400). Checks run cheapest first, and everything that can
 * be refused without the body is refused before it is read. No request can make the handler throw: an unexpected
 * failure is logged and answered 500.
 */
import type { IncomingMessage, RequestListener, ServerResponse } from "node:http";
import { createReader } from "../../codec/factory.ts";
import { MessageType, type ProtocolName } from "../../codec/protocol.ts";
import { uuidv7 } from "../../ids.ts";
import type { Logger } from "../../logger.ts";
import { normalizeRoute } from "./http-options.ts";
import { decideContentType, isValidJobId, receivedMetadata, single, sniffProtocol } from "./http-wire.ts";
import type { ReceiveBuffer } from "./receive-buffer.ts";
import type { ReplayCache } from "./replay-cache.ts";
import { readCappedBody } from "./request-body.ts";
import {
  checkWebhookTimestamp,
  verifyWebhook,
  WebhookHeader,
  type ReceivedWebhookHeaders,
} from "./webhook-signature.ts";

/** What a route accepts. */
export interface AcceptPolicy {
  /** HMAC keys of the secrets; empty when none is configured. */
  readonly keys: readonly Uint8Array[];
  readonly requireSignature: boolean;
  readonly requireThriftMessage: boolean;
  readonly maxPayloadBytes: number;
  /** Longest `thrift-queue-delay-ms` accepted. */
  readonly maxDelayMs: number;
}

/** One path a receiver serves: where its jobs go and what it accepts. */
export interface ReceiverRoute {
  readonly policy: AcceptPolicy;
  readonly buffer: ReceiveBuffer;
  readonly replay: ReplayCache;
  /** False while the last transport on the route closes: POSTs get 503. */
  readonly accepting: boolean;
}

/** What the request listener needs from the server around it. */
export interface ReceiverContext {
  /** The route serving a normalized path, if any. */
  route(path: string): ReceiverRoute | undefined;
  readonly now: () => number;
  readonly logger: Logger;
}

/** Seconds a producer is asked to wait when the buffer is full, and while the receiver shuts down. */
export const RetryAfterSeconds = { full: 1, closing: 5 } as const;

/** The content types a receiver takes, for the 415 answer. */
const ACCEPTED = "application/vnd.apache.thrift.binary, application/vnd.apache.thrift.compact, application/x-thrift";

/** Largest refused body left for Node to read and discard so that the connection can be reused. */
const MAX_DRAINED_BYTES = 64 * 1024;

type Answer = readonly [status: number, body: Record<string, unknown>, headers?: Record<string, string>];

/** The `request` listener of a receiver's server. */
export function createRequestListener(context: ReceiverContext): RequestListener {
  return (request, response) => {
    request.on("error", () => undefined);
    answerRequest(context, request)
      .then((answer) => {
        if (answer !== undefined) reply(request, response, answer);
        else response.destroy();
      })
      .catch((error: unknown) => {
        context.logger.error({ err: error, url: request.url }, "HTTP receiver failed on a request");
        if (!response.headersSent) reply(request, response, [500, { error: "INTERNAL", message: "internal error" }]);
        else response.destroy();
      });
  };
}

/** The answer to one request, or undefined when the client went away before it was read. */
async function answerRequest(context: ReceiverContext, request: IncomingMessage): Promise<Answer | undefined> {
  const checked = checkBeforeBody(context, request);
  if (!("route" in checked)) return checked;
  const read = await readCappedBody(request, checked.route.policy.maxPayloadBytes);
  if (read.kind === "aborted") return undefined;
  if (read.kind === "too-large") return tooLarge(checked.route.policy.maxPayloadBytes);
  return acceptBody(context, request, checked, read.body);
}

/** What the checks before the body found out, for {@link acceptBody}. */
interface HeadersChecked {
  readonly route: ReceiverRoute;
  readonly signature: ReceivedWebhookHeaders;
  /** Whether the signature is to be verified (a secret is set, and it is required or was sent). */
  readonly verify: boolean;
  readonly contentType: ProtocolName | "sniff";
}

/** Everything that can be refused from the request line and headers alone, cheapest first. */
function checkBeforeBody(context: ReceiverContext, request: IncomingMessage): Answer | HeadersChecked {
  const headers = request.headers;
  if (request.method !== "POST") return refuse(405, "METHOD_NOT_ALLOWED", "only POST is served", { allow: "POST" });
  const route = context.route(routeOf(request.url));
  if (!route) return refuse(404, "NOT_FOUND", "no queue is received at this path");
  if (!route.accepting) return unavailable();
  const { policy } = route;
  const signature: ReceivedWebhookHeaders = {
    id: single(headers[WebhookHeader.id]),
    timestamp: single(headers[WebhookHeader.timestamp]),
    signature: single(headers[WebhookHeader.signature]),
  };
  const verify = policy.keys.length > 0 && (policy.requireSignature || signature.signature !== undefined);
  if (verify) {
    const fresh = checkWebhookTimestamp(signature, context.now());
    if (!fresh.valid) return refuse(401, "UNAUTHORIZED", fresh.detail);
  }
  const contentType = decideContentType(headers["content-type"]);
  if (contentType === undefined)
    return refuse(415, "UNSUPPORTED_MEDIA_TYPE", `content type must be one of ${ACCEPTED}`);
  if (Number(headers["content-length"] ?? 0) > policy.maxPayloadBytes) return tooLarge(policy.maxPayloadBytes);
  if (!route.buffer.hasRoom(0)) return full();
  return { route, signature, verify, contentType };
}

/** The checks that need the body, then the job held (202), or answered again when its id is a replay. */
function acceptBody(context: ReceiverContext, request: IncomingMessage, checked: HeadersChecked, body: Buffer): Answer {
  const { route, signature } = checked;
  if (checked.verify) {
    const verified = verifyWebhook(route.policy.keys, signature, body, context.now());
    if (!verified.valid) return refuse(401, "UNAUTHORIZED", verified.detail);
  }
  const protocol = checked.contentType === "sniff" ? sniffProtocol(body) : checked.contentType;
  if (route.policy.requireThriftMessage) {
    const problem = thriftMessageProblem(body, protocol);
    if (problem !== undefined) return refuse(400, "BAD_REQUEST", `not a Thrift call: ${problem}`);
  }
  const now = context.now();
  const id = signature.id ?? uuidv7(now);
  if (!isValidJobId(id)) return refuse(400, "BAD_REQUEST", "webhook-id must be printable ASCII without spaces");
  const received = receivedMetadata(request.headers, id, protocol, now, route.policy.maxDelayMs);
  if ("problem" in received) return refuse(400, "BAD_REQUEST", received.problem);
  // A replay, or a producer's retry of a POST whose answer it did not see: answered again, held once.
  if (route.replay.has(id, now)) return [202, { id, duplicate: true }];
  if (!route.accepting) return unavailable();
  if (!route.buffer.hasRoom(body.length)) return full();
  route.buffer.push({ id, metadata: received.metadata, payload: new Uint8Array(body) }, now, received.delayMs);
  route.replay.add(id, now);
  return [202, { id, duplicate: false }];
}

/** Why a body is not a Thrift CALL or ONEWAY message, or undefined when its header reads as one. */
export function thriftMessageProblem(body: Uint8Array, protocol: ProtocolName): string | undefined {
  try {
    const header = createReader(body, protocol, { maxMessageBytes: Math.max(1, body.length) }).readMessageBegin();
    if (header.type !== MessageType.CALL && header.type !== MessageType.ONEWAY) {
      return `message type ${header.type} is not CALL or ONEWAY`;
    }
    if (header.name === "") return "the method name is empty";
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

/** The normalized path of a request target (origin-form or absolute-form), query left out. */
export function routeOf(target: string | undefined): string {
  try {
    return normalizeRoute(new URL(target ?? "/", "http://receiver.invalid").pathname);
  } catch {
    // Unparseable targets serve nothing: "/" is looked up, and only a root route would take it.
    return "/";
  }
}

function refuse(status: number, error: string, message: string, headers?: Record<string, string>): Answer {
  return [status, { error, message }, headers];
}

function unavailable(): Answer {
  const retryAfter = String(RetryAfterSeconds.closing);
  return refuse(503, "UNAVAILABLE", "the receiver is shutting down", { "retry-after": retryAfter });
}

function full(): Answer {
  return refuse(429, "FULL", "the receiver's buffer is full", { "retry-after": String(RetryAfterSeconds.full) });
}

function tooLarge(limit: number): Answer {
  // The rest of an oversized body is not worth reading: close the connection after the answer.
  return refuse(413, "PAYLOAD_TOO_LARGE", `the body is over the ${limit}-byte limit`, { connection: "close" });
}

function reply(request: IncomingMessage, response: ServerResponse, [status, body, headers = {}]: Answer): void {
  const text = JSON.stringify(body);
  // Node reads and discards an unread body to reuse the connection; past a small size (or of unknown size),
  // closing is cheaper than reading what was refused.
  const declared = Number(request.headers["content-length"] ?? Number.NaN);
  const drain = request.complete || declared <= MAX_DRAINED_BYTES;
  response.writeHead(status, {
    ...(drain ? {} : { connection: "close" }),
    ...headers,
    "content-type": "application/json",
    "content-length": Buffer.byteLength(text),
  });
  response.end(text);
}
