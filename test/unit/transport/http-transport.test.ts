/**
 * What the conformance suite and the wire tests do not cover for the HTTP transport: options and their single
 * validation, the secret from the environment, http(s): URLs through openTransport, the process-local sharing of
 * receivers (and its limits), https with a certificate, the bounded dead letters and replay cache, and stats
 * where no receiver runs.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { createServer, type AddressInfo, type Server } from "node:net";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import {
  ConfigError,
  encodeCallMessage,
  HttpTransport,
  MetadataKey,
  openTransport,
  parseTransportUrl,
  TransportError,
  type HttpTransportOptions,
  type Logger,
} from "thrift-queue";
import { Thumbnails } from "../../../examples/quickstart/gen/jobs.ts";
import { receiveOne, receiveUpTo } from "../../conformance/receive-helpers.ts";
import { message } from "../../conformance/transport-conformance.ts";
import { httpOptionsFromUrl } from "../../../src/transport/http/http-opener.ts";
import { validateHttpOptions } from "../../../src/transport/http/http-options.ts";
import { ReceiveBuffer } from "../../../src/transport/http/receive-buffer.ts";
import { ReplayCache } from "../../../src/transport/http/replay-cache.ts";
import { generateWebhookSecret } from "../../../src/transport/http/webhook-signature.ts";
import { freePort } from "./http-test-support.ts";

const SECRET = generateWebhookSecret();
const opened: HttpTransport[] = [];

afterEach(async () => {
  await Promise.all(opened.splice(0).map((transport) => transport.close({ drainTimeoutMs: 0 })));
});

function open(options: HttpTransportOptions, env: NodeJS.ProcessEnv = {}): HttpTransport {
  const transport = new HttpTransport(options, env);
  opened.push(transport);
  return transport;
}

function renderCall(imageId: string): Uint8Array {
  const job = { imageId, requestedAt: 1n, sizes: [], labels: new Map<string, string>() };
  return encodeCallMessage(Thumbnails, Thumbnails.methods["render"], { job });
}

describe("HttpTransport options", () => {
  it("reports every bad option at once, without quoting the secret", () => {
    const bad = {
      url: "ftp://example.com/jobs",
      queue: "",
      secret: "whsec_c2hvcnQ=",
      maxPending: 0,
      maxPayloadBytes: -1,
      leaseMs: 1.5,
      port: 70_000,
      maxSockets: 0,
      key: "pem",
    } as HttpTransportOptions;
    const problems = validateHttpOptions(bad, {});
    expect(problems.join("\n")).toMatch(/url must start with http/);
    expect(problems).toHaveLength(10); // key without cert, and key on an http: URL, are two
    expect(() => new HttpTransport(bad, {})).toThrow(ConfigError);
    expect(() => new HttpTransport(bad, {})).toThrow(/url.*queue.*secret.*maxPayloadBytes.*maxPending.*leaseMs.*port/s);
    expect(() => new HttpTransport(bad, {})).not.toThrow("c2hvcnQ");
  });

  it("refuses requireSignature without a secret, and maxPendingBytes under maxPayloadBytes", () => {
    const url = "http://127.0.0.1:1/jobs";
    expect(validateHttpOptions({ url, requireSignature: true }, {})).toEqual([
      expect.stringMatching(/requireSignature needs a secret/) as unknown,
    ]);
    expect(validateHttpOptions({ url, maxPayloadBytes: 10, maxPendingBytes: 5 }, {})).toHaveLength(1);
    expect(validateHttpOptions({ url: "http://user:pw@host/jobs" }, {})).toEqual([
      expect.stringMatching(/credentials/) as unknown,
    ]);
  });

  it("reads the secret from THRIFT_QUEUE_HTTP_SECRET unless told not to", () => {
    const env = { THRIFT_QUEUE_HTTP_SECRET: "whsec_bad" };
    expect(() => new HttpTransport({ url: "http://127.0.0.1:1/jobs" }, env)).toThrow(/secret/);
    expect(() => new HttpTransport({ url: "http://127.0.0.1:1/jobs", useEnvironment: false }, env)).not.toThrow();
    expect(
      () => new HttpTransport({ url: "http://127.0.0.1:1/jobs" }, { THRIFT_QUEUE_HTTP_SECRET: SECRET }),
    ).not.toThrow();
  });

  it("declares a non-durable transport without order, with delays, lease extension, depth and dead letters", () => {
    const transport = open({ url: "http://127.0.0.1:1/thumbnails", maxPayloadBytes: 2048 });
    expect(transport.kind).toBe("http");
    expect(transport.queue).toBe("thumbnails");
    expect(transport.capabilities).toEqual({
      ordering: "none",
      maxDelayMs: 15 * 60 * 1000,
      leaseExtension: true,
      depth: true,
      oldestAge: true,
      deadLetter: true,
      maxPayloadBytes: 2048,
      durable: false,
      peek: false,
      priority: false,
    });
  });

  it("opens http: URLs through openTransport, with its parameters, and refuses unknown ones", async () => {
    const port = await freePort();
    const transport = await openTransport(
      `http://127.0.0.1:${port}/hooks/jobs?maxPending=7&requireThriftMessage=false`,
      {
        useEnvironment: false,
      },
    );
    opened.push(transport as HttpTransport);
    expect(transport).toBeInstanceOf(HttpTransport);
    expect(transport.queue).toBe("hooks/jobs");
    const parsed = parseTransportUrl(
      "https://worker.example:8443/jobs?queue=renders&bind=0.0.0.0&requireSignature=false",
    );
    expect(httpOptionsFromUrl(parsed, { maxAttempts: 3, leaseMs: 1000 }, {})).toMatchObject({
      queue: "renders",
      host: "0.0.0.0",
      requireSignature: false,
      maxAttempts: 3,
    });
    const wrong = parseTransportUrl("http://127.0.0.1:1/jobs?maxPending=lots&verbose=1&requireSignature=yes");
    expect(() => httpOptionsFromUrl(wrong, { maxAttempts: 5, leaseMs: 1000 }, {})).toThrow(
      /maxPending.*requireSignature.*unknown parameter "verbose"/,
    );
  });
});

describe("HttpTransport receivers in one process", () => {
  it("share one buffer per address and path: one transport's sends reach another's receive", async () => {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}/shared`;
    const producer = open({ url, requireThriftMessage: false });
    const consumer = open({ url, requireThriftMessage: false });
    await consumer.listen();
    const sent = message("shared");
    await producer.send([sent]);
    expect(await producer.stats()).toMatchObject({ visible: 1 });
    const delivery = await receiveOne(consumer, { timeoutMs: 2000 });
    expect(delivery.id).toBe(sent.id);
    await delivery.ack();
  });

  it("refuses a second receiver on one route with another policy", async () => {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}/policy`;
    await open({ url }).listen();
    await expect(open({ url, secret: SECRET }).listen()).rejects.toThrow(/already received in this process/);
  });

  it("serves several paths on one port, each its own queue", async () => {
    const port = await freePort();
    const first = open({ url: `http://127.0.0.1:${port}/a`, requireThriftMessage: false });
    const second = open({ url: `http://127.0.0.1:${port}/b`, requireThriftMessage: false });
    await Promise.all([first.listen(), second.listen()]);
    await first.send([message("to a")]);
    await second.send([message("to b")]);
    const a = await receiveOne(first, { timeoutMs: 2000 });
    const b = await receiveOne(second, { timeoutMs: 2000 });
    expect(new TextDecoder().decode(a.payload)).toBe("to a");
    expect(new TextDecoder().decode(b.payload)).toBe("to b");
    expect(await first.stats()).toMatchObject({ visible: 0, inFlight: 1 });
  });

  it("has no depth where no receiver runs, and fails to listen on a taken port", async () => {
    const port = await freePort();
    const producer = open({ url: `http://127.0.0.1:${port}/remote` });
    await expect(producer.stats()).rejects.toMatchObject({ code: "TRANSPORT_UNSUPPORTED" });
    await open({ url: `http://127.0.0.1:${port}/x` }).listen();
    const other = open({ url: `https://127.0.0.1:${port}/y`, key: "k", cert: "c" });
    await expect(other.listen()).rejects.toThrow(/invalid TLS key or cert/);
    const taken = await new Promise<Server>((resolve) => {
      const server = createServer();
      server.listen(0, "127.0.0.1", () => resolve(server));
    });
    const takenPort = (taken.address() as AddressInfo).port;
    await expect(open({ url: `http://127.0.0.1:${takenPort}/busy` }).listen()).rejects.toMatchObject({
      code: "TRANSPORT_UNAVAILABLE",
      message: expect.stringMatching(/EADDRINUSE/) as unknown,
    });
    await new Promise((resolve) => taken.close(resolve));
    await expect(open({ url: `https://127.0.0.1:${port}/z` }).listen()).rejects.toThrow(/needs key and cert/);
  });

  it("listens on port 0 and tells the port it got", async () => {
    const transport = open({ url: "http://127.0.0.1:8080/any", port: 0 });
    const address = await transport.listen();
    expect(address.port).toBeGreaterThan(0);
    expect(address.port).not.toBe(8080);
  });

  it("stops the server when the last transport closes, and refuses sends after close", async () => {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}/stop`;
    const transport = open({ url, maxSendAttempts: 1 });
    await transport.listen();
    await transport.close();
    await expect(transport.send([message(renderCall("late"))])).rejects.toMatchObject({ code: "TRANSPORT_CLOSED" });
    const producer = open({ url, maxSendAttempts: 1 });
    await expect(producer.send([message(renderCall("nobody"))])).rejects.toMatchObject({
      code: "TRANSPORT_UNAVAILABLE",
      retryable: true,
    });
  });
});

describe("HttpTransport over https", () => {
  const openssl = ["/usr/bin/openssl", "/bin/openssl"].find((path) => existsSync(path));
  it.skipIf(openssl === undefined)("delivers a signed job over TLS with a self-signed certificate", async () => {
    const directory = mkdtempSync(join(tmpdir(), "tq-http-tls-"));
    try {
      const keyPath = join(directory, "key.pem");
      const certPath = join(directory, "cert.pem");
      execFileSync(
        openssl ?? "openssl",
        [
          ...["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"],
          ...["-keyout", keyPath, "-out", certPath, "-days", "1", "-subj", "/CN=127.0.0.1"],
          ...["-addext", "subjectAltName=IP:127.0.0.1"],
        ],
        { stdio: "ignore" },
      );
      const key = readFileSync(keyPath);
      const cert = readFileSync(certPath);
      const port = await freePort();
      const url = `https://127.0.0.1:${port}/secure`;
      const receiver = open({ url, key, cert, secret: SECRET });
      await receiver.listen();
      const untrusting = open({ url, secret: SECRET, maxSendAttempts: 1 });
      await expect(untrusting.send([message(renderCall("untrusted"))])).rejects.toBeInstanceOf(TransportError);
      const producer = open({ url, ca: cert, secret: SECRET });
      const sent = message(renderCall("over tls"));
      await producer.send([sent]);
      const delivery = await receiveOne(receiver, { timeoutMs: 2000 });
      expect(delivery.id).toBe(sent.id);
      await delivery.ack();
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });
});

describe("receive buffer and replay cache", () => {
  const envelope = (id: string, bytes = 10): { id: string; metadata: Record<string, string>; payload: Uint8Array } => ({
    id,
    metadata: {},
    payload: new Uint8Array(bytes),
  });

  it("keeps at most maxDeadLetters, dropping the oldest with a warning", async () => {
    const warnings: unknown[] = [];
    const logger: Logger = {
      debug: () => {},
      info: () => {},
      error: () => {},
      warn: (context) => warnings.push(context),
    };
    const port = await freePort();
    const transport = open({
      url: `http://127.0.0.1:${port}/dead`,
      requireThriftMessage: false,
      maxDeadLetters: 2,
      logger,
    });
    await transport.listen();
    const sent = [message("1"), message("2"), message("3")];
    await transport.send(sent);
    for (const delivery of await receiveUpTo(transport, 3, { timeoutMs: 2000 })) await delivery.deadLetter("bad");
    expect(await transport.stats()).toMatchObject({ deadLettered: 2 });
    expect(warnings).toHaveLength(1);
    const dead = await receiveUpTo(transport, 3, { timeoutMs: 200, deadLetters: true });
    expect(dead).toHaveLength(2);
    expect(dead.every((delivery) => delivery.metadata[MetadataKey.deadLetterReason] === "bad")).toBe(true);
    for (const delivery of dead) await delivery.nack();
    expect(await transport.redrive()).toBe(2);
    expect(await transport.stats()).toMatchObject({ visible: 2, deadLettered: 0 });
  });

  it("counts held bytes, frees them on ack, and loses a lease taken over by another delivery", () => {
    const buffer = new ReceiveBuffer({
      maxPending: 10,
      maxPendingBytes: 25,
      maxDeadLetters: 5,
      onDeadLetterDropped: () => {},
    });
    buffer.push(envelope("a"), 0);
    buffer.push(envelope("b"), 0);
    expect(buffer.hasRoom(5)).toBe(true);
    expect(buffer.hasRoom(6)).toBe(false);
    const first = buffer.take(0, 100, 5, false);
    const again = buffer.take(200, 100, 5, false);
    expect(again?.envelope.id).toBe("a");
    expect(again?.attempt).toBe(2);
    expect(() => buffer.settle(first?.leaseId ?? 0, { kind: "ack" }, 200)).toThrow(/lease was lost/);
    buffer.settle(again?.leaseId ?? 0, { kind: "ack" }, 200);
    expect(buffer.hasRoom(15)).toBe(true);
  });

  it("remembers ids for their time to live, and at most its size", () => {
    const cache = new ReplayCache(2, 1000);
    cache.add("a", 0);
    cache.add("b", 10);
    expect(cache.has("a", 999)).toBe(true);
    expect(cache.has("a", 1000)).toBe(false);
    cache.add("c", 20);
    expect(cache.has("a", 30)).toBe(false);
    expect([cache.has("b", 30), cache.has("c", 30), cache.size]).toEqual([true, true, 2]);
    cache.add("d", 1015);
    expect([cache.has("b", 1015), cache.has("c", 1015), cache.has("d", 1015)]).toEqual([false, true, true]);
    const none = new ReplayCache(0, 1000);
    none.add("x", 0);
    expect(none.has("x", 1)).toBe(false);
  });
});
