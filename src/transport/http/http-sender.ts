/**
 * The producer side of the HTTP transport: each message is one POST over a keep-alive agent, a few at a time.
 * 202 (any 2xx) is acceptance. 429, 503, other 5xx and network failures are tried again with backoff and jitter,
 * honouring Retry-After; that is safe because the receiver answers a repeated job id without holding it twice.
 * Any other answer is final.
 */
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from "node:http";
import { Agent as HttpsAgent, request as httpsRequest } from "node:https";
import { TransportError, type TransportErrorCode } from "../../errors.ts";
import type { OutgoingMessage } from "../transport.ts";
import type { ResolvedHttpOptions } from "./http-options.ts";
import { requestHeaders } from "./http-wire.ts";
import { parseRetryAfter, retryDelayMs } from "./retry-schedule.ts";
import { signWebhook } from "./webhook-signature.ts";

/** Why one message was not accepted. */
interface Refusal {
  readonly code: TransportErrorCode;
  readonly retryable: boolean;
  readonly reason: string;
}

/** The outcome of one POST. */
type PostOutcome =
  | { readonly kind: "accepted" }
  | { readonly kind: "retry"; readonly reason: string; readonly retryAfterMs: number | undefined }
  | { readonly kind: "final"; readonly refusal: Refusal };

/** Longest error body read from a refusal, for the error message. */
const MAX_ERROR_BODY = 4096;

/** Posts messages to one receiver URL. */
export class HttpSender {
  private readonly options: ResolvedHttpOptions;
  private readonly keys: readonly Uint8Array[];
  private readonly agent: HttpAgent;
  private readonly secure: boolean;
  private readonly random: () => number;

  constructor(options: ResolvedHttpOptions, keys: readonly Uint8Array[], random: () => number = Math.random) {
    this.options = options;
    this.keys = keys;
    this.random = random;
    this.secure = options.target.protocol === "https:";
    const agentOptions = { keepAlive: true, maxSockets: options.maxSockets };
    this.agent = this.secure
      ? new HttpsAgent({ ...agentOptions, ...(options.ca === undefined ? {} : { ca: options.ca }) })
      : new HttpAgent(agentOptions);
  }

  /**
   * Posts every message, up to `maxSockets` at once; resolves when all were accepted, else rejects with one
   * TransportError naming every id that was not (some others may have been accepted). `stop` ends retries.
   */
  async sendAll(messages: readonly OutgoingMessage[], stop: AbortSignal): Promise<void> {
    const refusals = new Map<string, Refusal>();
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < messages.length) {
        const message = messages[next++]!;
        const refusal = await this.sendOne(message, stop);
        if (refusal) refusals.set(message.id, refusal);
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.options.maxSockets, messages.length) }, worker));
    if (refusals.size > 0) throw this.refusedError(messages.length, refusals);
  }

  /** Drops the kept-alive sockets; requests under way fail. */
  close(): void {
    this.agent.destroy();
  }

  private async sendOne(message: OutgoingMessage, stop: AbortSignal): Promise<Refusal | undefined> {
    const prepared = requestHeaders(message);
    if ("problem" in prepared) return { code: "TRANSPORT_INVALID_MESSAGE", retryable: false, reason: prepared.problem };
    const body = Buffer.from(message.payload.buffer, message.payload.byteOffset, message.payload.byteLength);
    let last = "";
    for (let attempt = 1; attempt <= this.options.maxSendAttempts; attempt++) {
      if (stop.aborted) return closed();
      const signature = this.keys.length > 0 ? signWebhook(this.keys, message.id, body, this.options.now()) : {};
      const headers = { ...prepared.headers, ...signature, "content-length": String(body.length) };
      const outcome = await this.post(headers, body);
      if (outcome.kind === "accepted") return undefined;
      if (outcome.kind === "final") return outcome.refusal;
      last = outcome.reason;
      if (attempt === this.options.maxSendAttempts) break;
      const schedule = { baseDelayMs: this.options.retryBaseDelayMs, maxDelayMs: this.options.retryMaxDelayMs };
      await sleep(retryDelayMs(attempt, schedule, outcome.retryAfterMs, this.random), stop);
    }
    if (stop.aborted) return closed();
    const reason = `${last} (after ${this.options.maxSendAttempts} tries)`;
    return { code: "TRANSPORT_UNAVAILABLE", retryable: true, reason };
  }

  /** One POST; never rejects. */
  private post(headers: Record<string, string>, body: Buffer): Promise<PostOutcome> {
    return new Promise((resolve) => {
      const send = this.secure ? httpsRequest : httpRequest;
      const request = send(this.options.target, { method: "POST", headers, agent: this.agent }, (response) => {
        void readErrorBody(response).then((text) => resolve(this.outcomeOf(response, text)));
      });
      request.setTimeout(this.options.requestTimeoutMs, () =>
        request.destroy(new Error(`no answer within ${this.options.requestTimeoutMs} ms`)),
      );
      request.on("error", (error: NodeJS.ErrnoException) =>
        resolve({ kind: "retry", reason: error.code ?? error.message, retryAfterMs: undefined }),
      );
      request.end(body);
    });
  }

  private outcomeOf(response: IncomingMessage, text: string): PostOutcome {
    const status = response.statusCode ?? 0;
    if (status >= 200 && status < 300) return { kind: "accepted" };
    const reason = `${status}${describeErrorBody(text)}`;
    if (status === 429 || status >= 500) {
      const retryAfterMs = parseRetryAfter(response.headers["retry-after"], this.options.now());
      return { kind: "retry", reason, retryAfterMs };
    }
    const code = status === 413 ? "TRANSPORT_PAYLOAD_TOO_LARGE" : "TRANSPORT_REJECTED";
    return { kind: "final", refusal: { code, retryable: false, reason } };
  }

  private refusedError(total: number, refusals: ReadonlyMap<string, Refusal>): TransportError {
    const list = [...refusals];
    const shown = list.slice(0, 5).map(([id, refusal]) => `${id}: ${refusal.reason}`);
    if (list.length > shown.length) shown.push(`${list.length - shown.length} more`);
    const [first] = list;
    return new TransportError(
      first?.[1].code ?? "TRANSPORT_UNAVAILABLE",
      `${refusals.size} of ${total} messages not accepted by ${this.options.target.href}: ${shown.join("; ")}`,
      {
        queue: this.options.queue,
        messageIds: list.map(([id]) => id),
        retryable: list.every(([, refusal]) => refusal.retryable),
      },
    );
  }
}

function closed(): Refusal {
  return { code: "TRANSPORT_CLOSED", retryable: false, reason: "the transport closed before it was accepted" };
}

/** Reads up to {@link MAX_ERROR_BODY} bytes of a response (all of it is consumed, so the socket is reused). */
function readErrorBody(response: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    response.on("data", (chunk: Buffer) => {
      if (size < MAX_ERROR_BODY) chunks.push(chunk);
      size += chunk.length;
    });
    response.on("end", () => resolve(Buffer.concat(chunks).subarray(0, MAX_ERROR_BODY).toString("utf8")));
    response.on("error", () => resolve(""));
    response.on("close", () => resolve(""));
  });
}

/** ` CODE: message` from a receiver's JSON error body, or the start of any other body. */
function describeErrorBody(text: string): string {
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed === "object" && parsed !== null && "error" in parsed && "message" in parsed) {
      return ` ${String(parsed.error)}: ${String(parsed.message)}`;
    }
  } catch {
    // Not ours: quote the start of it.
  }
  const start = text.trim().slice(0, 120);
  return start === "" ? "" : ` ${start}`;
}

function sleep(ms: number, stop: AbortSignal): Promise<void> {
  if (stop.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      stop.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    stop.addEventListener("abort", done, { once: true });
  });
}
