/**
 * The HTTP receiver and producer on the wire: every status a receiver answers (202, 400, 401, 404, 405, 413,
 * 415, 429, 503), the replay cache, Standard Webhooks signatures checked against the scheme's published vector
 * and an HMAC computed here independently, the producer's retries (backoff, Retry-After, final refusals), and a
 * seeded fuzz of random requests that must never crash the receiver nor get a 500.
 */
import { createHmac, randomBytes } from "node:crypto";
import { Agent, createServer, request, type IncomingMessage, type OutgoingHttpHeaders, type Server } from "node:http";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  ContentType,
  createProducer,
  decodeCallMessage,
  encodeCallMessage,
  HttpTransport,
  MetadataKey,
  signWebhook,
  TransportError,
  uuidv7,
  verifyWebhook,
  type HttpTransportOptions,
} from "thrift-queue";
import { createThumbnailsClient, Thumbnails } from "../../../examples/quickstart/gen/jobs.ts";
import { receiveOne, receiveUpTo, sleep } from "../../conformance/receive-helpers.ts";
import { message } from "../../conformance/transport-conformance.ts";
import { parseRetryAfter, retryDelayMs } from "../../../src/transport/http/retry-schedule.ts";
import { freePort, rawRequest, type RawResponse } from "./http-test-support.ts";

const KEY = randomBytes(32);
const SECRET = `whsec_${KEY.toString("base64")}`;
const opened: HttpTransport[] = [];
let port = 0;
let routeCount = 0;

beforeAll(async () => {
  port = await freePort();
});
afterEach(async () => {
  await Promise.all(opened.splice(0).map((transport) => transport.close({ drainTimeoutMs: 0 })));
});

/** A listening transport on a fresh path of the test port; returns it and its path. */
async function receiver(
  options: Partial<HttpTransportOptions> = {},
): Promise<{ transport: HttpTransport; path: string }> {
  const path = `/route-${++routeCount}`;
  const transport = new HttpTransport({ url: `http://127.0.0.1:${port}${path}`, useEnvironment: false, ...options });
  opened.push(transport);
  await transport.listen();
  return { transport, path };
}

/** A oneway Thumbnails.render call, as a generated client writes it. */
function renderCall(imageId = "img-1", protocol: "binary" | "compact" = "binary"): Uint8Array {
  const job = { imageId, requestedAt: 1n, sizes: ["64x64"], labels: new Map<string, string>() };
  return encodeCallMessage(Thumbnails, Thumbnails.methods["render"], { job }, { protocol });
}

/** The signature computed here, independently of the library: base64 HMAC-SHA256 over "id.timestamp.body". */
function independentSignature(key: Uint8Array, id: string, timestamp: string, body: Uint8Array): string {
  return `v1,${createHmac("sha256", key)
    .update(Buffer.concat([Buffer.from(`${id}.${timestamp}.`), body]))
    .digest("base64")}`;
}

/** Headers of a request signed with {@link KEY} at `atMs`. */
function signedHeaders(id: string, body: Uint8Array, atMs = Date.now()): OutgoingHttpHeaders {
  const timestamp = String(Math.floor(atMs / 1000));
  return {
    "content-type": ContentType.binary,
    "webhook-id": id,
    "webhook-timestamp": timestamp,
    "webhook-signature": independentSignature(KEY, id, timestamp, body),
  };
}

function post(path: string, headers: OutgoingHttpHeaders, body: Uint8Array | string): Promise<RawResponse> {
  return rawRequest(port, { path, headers, body });
}

function errorCode(response: RawResponse): unknown {
  return (JSON.parse(response.text) as { error?: unknown }).error;
}

describe("Standard Webhooks signatures", () => {
  it("matches the scheme's published test vector", () => {
    const secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    const body = new TextEncoder().encode('{"test": 2432232314}');
    const headers = signWebhook(secret, "msg_p5jXN8AQM9LWM0D4loKWxJek", body, 1614265330_000);
    expect(headers).toEqual({
      "webhook-id": "msg_p5jXN8AQM9LWM0D4loKWxJek",
      "webhook-timestamp": "1614265330",
      "webhook-signature": "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
    });
    const received = { id: headers["webhook-id"], timestamp: "1614265330", signature: headers["webhook-signature"] };
    expect(verifyWebhook(secret, received, body, 1614265330_000 + 60_000)).toEqual({ valid: true });
  });

  it("agrees with an HMAC computed independently, for random keys, ids and binary bodies", () => {
    for (let round = 0; round < 50; round++) {
      const key = randomBytes(24 + (round % 40));
      const secret = `whsec_${key.toString("base64")}`;
      const body = randomBytes(round * 7);
      const id = uuidv7();
      const at = 1_700_000_000_000 + round * 1000;
      const headers = signWebhook(secret, id, body, at);
      expect(headers["webhook-signature"]).toBe(independentSignature(key, id, headers["webhook-timestamp"], body));
    }
  });

  it("signs with every secret and verifies with any one, among space-separated signatures", () => {
    const other = `whsec_${randomBytes(32).toString("base64")}`;
    const body = renderCall();
    const headers = signWebhook([SECRET, other], "job-1", body, Date.now());
    const signatures = headers["webhook-signature"].split(" ");
    expect(signatures).toHaveLength(2);
    const received = (signature: string): { id: string; timestamp: string; signature: string } => ({
      id: "job-1",
      timestamp: headers["webhook-timestamp"],
      signature,
    });
    expect(verifyWebhook(other, received(headers["webhook-signature"]), body)).toEqual({ valid: true });
    expect(verifyWebhook(SECRET, received(`v1,AAAA v1a,xyz ${signatures[0]}`), body)).toEqual({ valid: true });
    expect(verifyWebhook([other, SECRET], received(signatures[0] ?? ""), body)).toEqual({ valid: true });
  });

  it("refuses missing headers, bad, old and future timestamps, and a changed id, timestamp or body", () => {
    const body = renderCall();
    const now = Date.now();
    const headers = signWebhook(SECRET, "job-2", body, now);
    const good = { id: "job-2", timestamp: headers["webhook-timestamp"], signature: headers["webhook-signature"] };
    const reason = (overrides: Partial<typeof good>, bytes = body, at = now): unknown => {
      const result = verifyWebhook(SECRET, { ...good, ...overrides }, bytes, at);
      return result.valid ? "valid" : result.reason;
    };
    expect(reason({})).toBe("valid");
    expect(reason({ signature: undefined })).toBe("missing");
    expect(reason({ timestamp: "soon" })).toBe("bad-timestamp");
    expect(reason({}, body, now + 5 * 60_000 + 2000)).toBe("expired");
    expect(reason({}, body, now - 5 * 60_000 - 2000)).toBe("future");
    expect(reason({ id: "job-3" })).toBe("mismatch");
    expect(reason({ timestamp: String(Number(good.timestamp) - 1) })).toBe("mismatch");
    expect(reason({}, Uint8Array.of(...body, 0))).toBe("mismatch");
  });

  it("refuses malformed secrets without quoting them", () => {
    for (const secret of ["MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "whsec_not base64!", "whsec_c2hvcnQ="]) {
      expect(() => signWebhook(secret, "id", new Uint8Array())).toThrow(/invalid webhook secret/);
      expect(() => signWebhook(secret, "id", new Uint8Array())).not.toThrow(secret);
    }
  });
});

describe("HTTP receiver: accepted", () => {
  it("answers 202 with the job id and delivers the job with its metadata", async () => {
    const { transport, path } = await receiver({ secret: SECRET });
    const body = renderCall();
    const id = uuidv7();
    const traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
    const response = await post(
      path,
      {
        ...signedHeaders(id, body),
        "thrift-queue-enqueued-at": "2025-01-02T03:04:05.678Z",
        "thrift-queue-deadline": "2025-01-02T04:00:00.000Z",
        traceparent,
        "x-tenant": "acme",
        "x-forwarded-for": "10.0.0.1",
      },
      body,
    );
    expect(response.status).toBe(202);
    expect(JSON.parse(response.text)).toEqual({ id, duplicate: false });
    const delivery = await receiveOne(transport, { timeoutMs: 2000 });
    expect(delivery.id).toBe(id);
    expect(delivery.attempt).toBe(1);
    expect(delivery.payload).toEqual(body);
    expect(delivery.metadata).toEqual({
      [MetadataKey.contentType]: ContentType.binary,
      [MetadataKey.jobId]: id,
      [MetadataKey.enqueuedAt]: "2025-01-02T03:04:05.678Z",
      [MetadataKey.deadline]: "2025-01-02T04:00:00.000Z",
      [MetadataKey.traceparent]: traceparent,
      "x-tenant": "acme",
    });
    expect(decodeCallMessage([Thumbnails], delivery.payload).header.name).toBe("render");
    await delivery.ack();
  });

  it("answers a replayed id 202 again but holds the job once", async () => {
    const { transport, path } = await receiver({ secret: SECRET });
    const body = renderCall();
    const headers = signedHeaders("replayed-job", body);
    const first = await post(path, headers, body);
    const again = await post(path, headers, body);
    expect([first.status, again.status]).toEqual([202, 202]);
    expect(JSON.parse(again.text)).toEqual({ id: "replayed-job", duplicate: true });
    expect(await transport.stats()).toMatchObject({ visible: 1 });
    const [delivery, ...more] = await receiveUpTo(transport, 2, { timeoutMs: 300 });
    expect(more).toEqual([]);
    await delivery?.ack();
    // Still remembered after the job was done: a late replay is not run again.
    expect((await post(path, headers, body)).status).toBe(202);
    expect(await receiveUpTo(transport, 1, { timeoutMs: 200 })).toEqual([]);
  });

  it("takes application/x-thrift as binary, or compact when the body starts like compact", async () => {
    const { transport, path } = await receiver();
    await post(path, { "content-type": "application/x-thrift" }, renderCall("bin"));
    await post(path, { "content-type": "application/x-thrift; charset=binary" }, renderCall("cpt", "compact"));
    const deliveries = await receiveUpTo(transport, 2, { timeoutMs: 2000 });
    const types = deliveries.map((delivery) => delivery.metadata[MetadataKey.contentType]);
    expect(types.sort()).toEqual([ContentType.binary, ContentType.compact]);
    for (const delivery of deliveries) {
      const protocol = delivery.metadata[MetadataKey.contentType] === ContentType.compact ? "compact" : "binary";
      expect(decodeCallMessage([Thumbnails], delivery.payload, { protocol }).header.name).toBe("render");
      expect(delivery.id).toMatch(/^[0-9a-f-]{36}$/);
      await delivery.ack();
    }
  });

  it("holds a job sent with thrift-queue-delay-ms until the delay passes", async () => {
    const { transport, path } = await receiver();
    const sentAt = Date.now();
    const response = await post(
      path,
      { "content-type": ContentType.binary, "thrift-queue-delay-ms": "300" },
      renderCall(),
    );
    expect(response.status).toBe(202);
    expect(await transport.stats()).toMatchObject({ delayed: 1, visible: 0 });
    const delivery = await receiveOne(transport, { timeoutMs: 3000 });
    expect(Date.now() - sentAt).toBeGreaterThanOrEqual(280);
    await delivery.ack();
  });
});

describe("HTTP receiver: refused", () => {
  it("401 without a signature, or with a wrong, expired or future one", async () => {
    const { transport, path } = await receiver({ secret: SECRET });
    const body = renderCall();
    const unsigned = await post(path, { "content-type": ContentType.binary }, body);
    const wrong = await post(path, { ...signedHeaders("a", body), "webhook-signature": "v1,AAAA" }, body);
    const otherKey = signWebhook(`whsec_${randomBytes(32).toString("base64")}`, "b", body);
    const foreign = await post(path, { "content-type": ContentType.binary, ...otherKey }, body);
    const tampered = await post(path, signedHeaders("c", body), Uint8Array.of(...body, 0));
    const expired = await post(path, signedHeaders("d", body, Date.now() - 6 * 60_000), body);
    const future = await post(path, signedHeaders("e", body, Date.now() + 6 * 60_000), body);
    for (const response of [unsigned, wrong, foreign, tampered, expired, future]) {
      expect(response.status).toBe(401);
      expect(errorCode(response)).toBe("UNAUTHORIZED");
    }
    expect(JSON.parse(expired.text)).toMatchObject({ message: expect.stringMatching(/old/) as unknown });
    expect(JSON.parse(future.text)).toMatchObject({ message: expect.stringMatching(/ahead/) as unknown });
    expect(await transport.stats()).toMatchObject({ visible: 0 });
  });

  it("accepts unsigned requests when requireSignature is false, but still checks a signature that is sent", async () => {
    const { transport, path } = await receiver({ secret: SECRET, requireSignature: false });
    const body = renderCall();
    expect((await post(path, { "content-type": ContentType.binary }, body)).status).toBe(202);
    const wrong = await post(path, { ...signedHeaders("w", body), "webhook-signature": "v1,AAAA" }, body);
    expect(wrong.status).toBe(401);
    expect((await post(path, signedHeaders("good", body), body)).status).toBe(202);
    expect(await transport.stats()).toMatchObject({ visible: 2 });
  });

  it("400 for a body that is not a Thrift call, and for malformed metadata headers", async () => {
    const { path } = await receiver({ secret: SECRET });
    const reply = encodeCallMessage(Thumbnails, Thumbnails.methods["render"], {
      job: { imageId: "x", requestedAt: 1n, sizes: [], labels: new Map<string, string>() },
    }).map((byte, index) => (index === 3 ? 2 : byte)); // message type REPLY
    const bodies = [new TextEncoder().encode("hello"), new Uint8Array(0), Uint8Array.of(0x80, 0x01), reply];
    for (const [index, body] of bodies.entries()) {
      const response = await post(path, signedHeaders(`bad-${index}`, body), body);
      expect(response.status).toBe(400);
      expect(errorCode(response)).toBe("BAD_REQUEST");
    }
    const body = renderCall();
    const badHeaders: OutgoingHttpHeaders[] = [
      { "thrift-queue-deadline": "tomorrow" },
      { "thrift-queue-enqueued-at": "yesterday" },
      { "thrift-queue-delay-ms": "-5" },
      { "thrift-queue-delay-ms": String(16 * 60_000) },
    ];
    for (const [index, extra] of badHeaders.entries()) {
      const response = await post(path, { ...signedHeaders(`hdr-${index}`, body), ...extra }, body);
      expect(response.status).toBe(400);
    }
    expect((await post(path, signedHeaders("has space", body), body)).status).toBe(400);
  });

  it("415 for content types that are not a Thrift binary or compact protocol", async () => {
    const { path } = await receiver();
    for (const type of ["text/plain", "application/json", "application/vnd.apache.thrift.json", undefined]) {
      const headers: OutgoingHttpHeaders = type === undefined ? {} : { "content-type": type };
      const response = await post(path, headers, renderCall());
      expect(response.status).toBe(415);
      expect(errorCode(response)).toBe("UNSUPPORTED_MEDIA_TYPE");
    }
  });

  it("keeps the connection after refusing a small body, closes it rather than read one of unknown size", async () => {
    const { path } = await receiver();
    const agent = new Agent({ keepAlive: true });
    try {
      const small = await rawRequest(port, { path, agent, headers: { "content-type": "text/plain" }, body: "hi" });
      expect(small.status).toBe(415);
      expect(small.headers.connection).toBe("keep-alive");
      const chunked = await rawRequest(port, {
        path,
        agent,
        headers: { "content-type": "text/plain", "transfer-encoding": "chunked" },
        body: "hi",
      });
      expect(chunked.status).toBe(415);
      expect(chunked.headers.connection).toBe("close");
    } finally {
      agent.destroy();
    }
  });

  it("413 from Content-Length before reading, and while streaming a chunked body, before it is all sent", async () => {
    const { transport, path } = await receiver({ maxPayloadBytes: 4096 });
    const declared = await post(path, { "content-type": ContentType.binary }, new Uint8Array(4097));
    expect(declared.status).toBe(413);
    expect(declared.headers.connection).toBe("close");
    const exact = new Uint8Array(4096);
    exact.set(renderCall());
    expect((await post(path, { "content-type": ContentType.binary }, exact)).status).toBe(202);

    const total = 4 * 1024 * 1024;
    const streamed = await new Promise<{ status: number; written: number }>((resolve, reject) => {
      let written = 0;
      let answered = false;
      const outgoing = request(
        {
          host: "127.0.0.1",
          port,
          path,
          method: "POST",
          agent: false,
          headers: { "content-type": "application/x-thrift" },
        },
        (response: IncomingMessage) => {
          answered = true;
          response.resume();
          resolve({ status: response.statusCode ?? 0, written });
        },
      );
      outgoing.on("error", (error) => {
        if (!answered) reject(error);
      });
      const chunk = new Uint8Array(1024).fill(7);
      const writeMore = (): void => {
        if (answered || written >= total) {
          if (!answered) outgoing.end();
          return;
        }
        written += chunk.length;
        outgoing.write(chunk);
        setTimeout(writeMore, 1);
      };
      writeMore();
    });
    expect(streamed.status).toBe(413);
    expect(streamed.written).toBeLessThan(total / 4);
    expect(await transport.stats()).toMatchObject({ visible: 1 });
  });

  it("429 with Retry-After when the buffer is full, 202 again once a job is done", async () => {
    const { transport, path } = await receiver({ maxPending: 2 });
    const send = (): Promise<RawResponse> => post(path, { "content-type": ContentType.binary }, renderCall());
    expect((await send()).status).toBe(202);
    expect((await send()).status).toBe(202);
    const full = await send();
    expect(full.status).toBe(429);
    expect(full.headers["retry-after"]).toBe("1");
    expect(errorCode(full)).toBe("FULL");
    const delivery = await receiveOne(transport, { timeoutMs: 2000 });
    await delivery.ack();
    expect((await send()).status).toBe(202);
  });

  it("429 when the held bytes would pass maxPendingBytes", async () => {
    const { path } = await receiver({ maxPayloadBytes: 1000, maxPendingBytes: 1500 });
    const body = new Uint8Array(800);
    body.set(renderCall());
    expect((await post(path, { "content-type": ContentType.binary }, body)).status).toBe(202);
    expect((await post(path, { "content-type": ContentType.binary }, body)).status).toBe(429);
  });

  it("503 with Retry-After while the last receiver on the route closes", async () => {
    const { transport, path } = await receiver();
    await post(path, { "content-type": ContentType.binary }, renderCall());
    const delivery = await receiveOne(transport, { timeoutMs: 2000 });
    const closing = transport.close({ drainTimeoutMs: 5000 });
    await sleep(50);
    const refused = await post(path, { "content-type": ContentType.binary }, renderCall());
    expect(refused.status).toBe(503);
    expect(refused.headers["retry-after"]).toBe("5");
    await delivery.ack();
    await closing;
  });

  it("405 for other methods and 404 for paths no queue is received at", async () => {
    const { path } = await receiver();
    const get = await rawRequest(port, { method: "GET", path });
    expect(get.status).toBe(405);
    expect(get.headers.allow).toBe("POST");
    const missing = await post("/nobody-here", { "content-type": ContentType.binary }, renderCall());
    expect(missing.status).toBe(404);
  });
});

describe("HTTP producer", () => {
  let server: Server | undefined;
  afterEach(async () => {
    server?.closeAllConnections();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    server = undefined;
  });

  /** A fake receiver answering the scripted statuses in turn (then 202), recording each request. */
  async function scripted(
    answers: readonly { status: number; headers?: Record<string, string> }[],
  ): Promise<{ url: string; seen: { at: number; headers: IncomingMessage["headers"]; body: Buffer }[] }> {
    const seen: { at: number; headers: IncomingMessage["headers"]; body: Buffer }[] = [];
    server = createServer((incoming, response) => {
      const chunks: Buffer[] = [];
      incoming.on("data", (chunk: Buffer) => chunks.push(chunk));
      incoming.on("end", () => {
        seen.push({ at: Date.now(), headers: incoming.headers, body: Buffer.concat(chunks) });
        const answer = answers[seen.length - 1] ?? { status: 202 };
        response.writeHead(answer.status, { "content-type": "application/json", ...answer.headers });
        response.end(JSON.stringify({ error: "SCRIPTED", message: `answer ${seen.length}` }));
      });
    });
    const listening = server;
    await new Promise<void>((resolve) => listening.listen(0, "127.0.0.1", resolve));
    const address = listening.address();
    const fakePort = typeof address === "object" && address !== null ? address.port : 0;
    return { url: `http://127.0.0.1:${fakePort}/jobs`, seen };
  }

  function producer(url: string, options: Partial<HttpTransportOptions> = {}): HttpTransport {
    const transport = new HttpTransport({ url, useEnvironment: false, retryBaseDelayMs: 40, ...options });
    opened.push(transport);
    return transport;
  }

  it("retries 503 and 429 with growing, jittered backoff, then succeeds on 202", async () => {
    const fake = await scripted([{ status: 503 }, { status: 429 }, { status: 503 }]);
    const sent = message(renderCall());
    await producer(fake.url, { secret: SECRET }).send([sent]);
    expect(fake.seen).toHaveLength(4);
    const gaps = fake.seen.slice(1).map((request, index) => request.at - (fake.seen[index]?.at ?? 0));
    // Equal jitter: retry n waits between half and all of 40 ms · 2^(n-1).
    expect(gaps[0]).toBeGreaterThanOrEqual(18);
    expect(gaps[1]).toBeGreaterThanOrEqual(38);
    expect(gaps[2]).toBeGreaterThanOrEqual(78);
    for (const request of fake.seen) {
      expect(request.headers["webhook-id"]).toBe(sent.id);
      expect(request.body).toEqual(Buffer.from(sent.payload));
      const timestamp = String(request.headers["webhook-timestamp"]);
      expect(request.headers["webhook-signature"]).toBe(independentSignature(KEY, sent.id, timestamp, request.body));
    }
    expect(fake.seen[0]?.headers).toMatchObject({
      "content-type": ContentType.binary,
      "thrift-queue-enqueued-at": sent.metadata[MetadataKey.enqueuedAt],
      "x-tenant": "acme",
    });
  });

  it("waits at least the Retry-After a receiver asks for", async () => {
    const fake = await scripted([{ status: 503, headers: { "retry-after": "1" } }]);
    await producer(fake.url).send([message(renderCall())]);
    expect(fake.seen).toHaveLength(2);
    expect((fake.seen[1]?.at ?? 0) - (fake.seen[0]?.at ?? 0)).toBeGreaterThanOrEqual(990);
  });

  it("rejects TRANSPORT_REJECTED at once on a 4xx, naming the ids, and PAYLOAD_TOO_LARGE on a 413", async () => {
    const fake = await scripted([{ status: 400 }, { status: 413 }]);
    const transport = producer(fake.url);
    const bad = message(renderCall());
    const refused = await transport.send([bad]).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(TransportError);
    expect(refused).toMatchObject({ code: "TRANSPORT_REJECTED", retryable: false, messageIds: [bad.id] });
    expect(String((refused as Error).message)).toMatch(/400 SCRIPTED: answer 1/);
    const large = message(renderCall());
    await expect(transport.send([large])).rejects.toMatchObject({
      code: "TRANSPORT_PAYLOAD_TOO_LARGE",
      messageIds: [large.id],
    });
    expect(fake.seen).toHaveLength(2);
  });

  it("names only the ids that were not accepted in a batch", async () => {
    const fake = await scripted([{ status: 202 }, { status: 400 }, { status: 202 }]);
    const batch = [message(renderCall("a")), message(renderCall("b")), message(renderCall("c"))];
    const refused = await producer(fake.url, { maxSockets: 1 })
      .send(batch)
      .catch((error: unknown) => error);
    expect(refused).toMatchObject({ code: "TRANSPORT_REJECTED", messageIds: [batch[1]?.id] });
  });

  it("rejects TRANSPORT_UNAVAILABLE (retryable) when nothing listens, after its tries", async () => {
    const closedPort = await freePort();
    const transport = producer(`http://127.0.0.1:${closedPort}/jobs`, { maxSendAttempts: 3, retryBaseDelayMs: 5 });
    const sent = message(renderCall());
    const refused = await transport.send([sent]).catch((error: unknown) => error);
    expect(refused).toMatchObject({ code: "TRANSPORT_UNAVAILABLE", retryable: true, messageIds: [sent.id] });
    expect(String((refused as Error).message)).toMatch(/ECONNREFUSED \(after 3 tries\)/);
  });

  it("ends retries with TRANSPORT_CLOSED when the transport closes", async () => {
    const fake = await scripted(Array.from({ length: 10 }, () => ({ status: 503, headers: { "retry-after": "3" } })));
    const transport = producer(fake.url);
    const sending = transport.send([message(renderCall())]).catch((error: unknown) => error);
    await sleep(100);
    await transport.close({ drainTimeoutMs: 1000 });
    expect(await sending).toMatchObject({ code: "TRANSPORT_CLOSED" });
    expect(fake.seen).toHaveLength(1);
  });

  it("a generated client's calls reach a signed receiver through the producer", async () => {
    const { transport, path } = await receiver({ secret: SECRET });
    const sender = producer(`http://127.0.0.1:${port}${path}`, { secret: SECRET });
    const client = createThumbnailsClient(createProducer({ transport: sender }));
    const receipt = await client.render(
      { job: { imageId: "via-producer", requestedAt: 5n, sizes: [], labels: new Map<string, string>() } },
      { metadata: { tenant: "acme" }, traceparent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01" },
    );
    const delivery = await receiveOne(transport, { timeoutMs: 2000 });
    expect(delivery.id).toBe(receipt.jobId);
    expect(delivery.metadata).toMatchObject({ "x-tenant": "acme", [MetadataKey.enqueuedAt]: receipt.enqueuedAt });
    const call = decodeCallMessage([Thumbnails], delivery.payload);
    expect(call.args).toMatchObject({ job: { imageId: "via-producer", requestedAt: 5n } });
    await delivery.ack();
  });

  it("computes backoff within its bounds and reads Retry-After in both forms", () => {
    const schedule = { baseDelayMs: 100, maxDelayMs: 1000 };
    expect(retryDelayMs(1, schedule, undefined, () => 0)).toBe(50);
    expect(retryDelayMs(1, schedule, undefined, () => 1)).toBe(100);
    expect(retryDelayMs(3, schedule, undefined, () => 0.5)).toBe(300);
    expect(retryDelayMs(10, schedule, undefined, () => 1)).toBe(1000);
    expect(retryDelayMs(1, schedule, 600, () => 0)).toBe(600);
    expect(retryDelayMs(1, schedule, 60_000, () => 0)).toBe(1000);
    expect(parseRetryAfter("2", 0)).toBe(2000);
    expect(parseRetryAfter(new Date(10_000).toUTCString(), 4000)).toBe(6000);
    expect(parseRetryAfter("soon", 0)).toBeUndefined();
    expect(parseRetryAfter(undefined, 0)).toBeUndefined();
  });
});

describe("HTTP receiver: random requests", () => {
  /** Mulberry32: a small seeded generator, so a failure can be replayed from its seed. */
  function seeded(seed: number): () => number {
    let state = seed >>> 0;
    return () => {
      state = (state + 0x6d2b79f5) >>> 0;
      let t = state;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
  }

  it("never crashes and never answers 500, whatever arrives", async () => {
    const { transport, path } = await receiver({ secret: SECRET, maxPayloadBytes: 2048, maxPending: 50 });
    const seed = Number(process.env["FUZZ_SEED"] ?? Date.now() % 1_000_000);
    const random = seeded(seed);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
    const bytes = (length: number): Uint8Array => Uint8Array.from({ length }, () => Math.floor(random() * 256));
    const valid = renderCall();
    const allowed = new Set([202, 400, 401, 404, 405, 413, 415, 429]);
    const statuses = new Map<number, number>();
    for (let round = 0; round < 300; round++) {
      const body = pick([
        () => bytes(Math.floor(random() * 64)),
        () => bytes(Math.floor(random() * 3000)),
        () => valid.map((byte) => (random() < 0.1 ? Math.floor(random() * 256) : byte)),
        () => valid.subarray(0, Math.floor(random() * valid.length)),
        () => valid,
      ])();
      const id = pick(["", "job", uuidv7(), "a\tb", "x".repeat(300), `r${round}`]);
      const skewMs = random() < 0.3 ? (random() - 0.5) * 1e6 : 0;
      const headers: OutgoingHttpHeaders =
        random() < 0.7 ? signedHeaders(id || "empty", body, Date.now() + skewMs) : {};
      headers["content-type"] = pick([
        ContentType.binary,
        ContentType.binary,
        ContentType.compact,
        "application/x-thrift",
        "text/plain",
        "",
        "a/b;;",
      ]);
      if (random() < 0.3) headers["webhook-signature"] = pick(["", "v1,", "v1,%%%", "v2,abc v1", "v1,AAAA".repeat(50)]);
      if (random() < 0.3) headers["webhook-timestamp"] = pick(["", "-1", "1e3", "99999999999999999999", "0"]);
      if (random() < 0.2) headers["thrift-queue-delay-ms"] = pick(["0", "1", "x", "900000", "1".repeat(30)]);
      if (random() < 0.2) headers["thrift-queue-deadline"] = pick(["", "2025-01-01", "not a date"]);
      if (random() < 0.2) headers[pick(["x-a", "x-", "x-UPPER", "x-q.r_s-t"])] = pick(["", "v", "ä"]);
      // Stated, so that a GET's body is not read as a next request (Node sends no length for GET by default).
      if (random() < 0.9) headers["content-length"] = String(body.length);
      const response = await rawRequest(port, {
        method: random() < 0.85 ? "POST" : pick(["GET", "PUT", "DELETE", "OPTIONS", "PATCH"]),
        path:
          random() < 0.8 ? pick([path, `${path}/`, `${path}?q=1`]) : pick(["/", "/other", "//", "/%zz", `${path}/x`]),
        headers,
        body,
      }).catch((error: unknown) => ({ status: -1, text: String(error), headers: {} }));
      statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
      if (!allowed.has(response.status)) {
        throw new Error(`seed ${seed}, round ${round}: status ${response.status} ${response.text}`);
      }
      if (random() < 0.2)
        for (const delivery of await receiveUpTo(transport, 5, { timeoutMs: 5 })) await delivery.ack();
    }
    expect(statuses.get(202) ?? 0).toBeGreaterThan(0);
    const after = await post(path, signedHeaders(uuidv7(), valid), valid);
    expect([202, 429]).toContain(after.status);
  });
});
