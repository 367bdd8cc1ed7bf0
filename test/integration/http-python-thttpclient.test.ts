/**
 * A stock Apache Thrift client delivers a job to the HTTP receiver: Python's THttpClient with the classes that
 * Debian's `thrift --gen py` generated from idl/jobs.thrift calls the oneway `Thumbnails.render` (TBinaryProtocol
 * and TCompactProtocol, both sent as `application/x-thrift`), and the TypeScript side receives it and decodes it
 * with the generated code in examples/quickstart/gen. A second case signs the request with Python's own hmac
 * module (Standard Webhooks), against a receiver that requires signatures, and an unsigned call there gets 401.
 *
 * Skipped (with a reason) only when /usr/bin/thrift or Python's thrift is missing outside CI; under CI it fails.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { ContentType, decodeCallMessage, HttpTransport, MessageType, MetadataKey } from "thrift-queue";
import { Thumbnails } from "../../examples/quickstart/gen/jobs.ts";
import { receiveOne } from "../conformance/receive-helpers.ts";
import { generatePython, PYTHON, stockPythonUnavailable } from "../cross/python/stock-codec.ts";
import { freePort } from "../unit/transport/http-test-support.ts";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const SCRIPT = fileURLToPath(new URL("../cross/python/thttpclient_render.py", import.meta.url));
const SECRET = `whsec_${Buffer.from("thrift-queue python interop key!").toString("base64")}`;
const unavailable = stockPythonUnavailable();
const ci = Boolean(process.env["CI"]);
const run = promisify(execFile);

describe("stock Apache Thrift THttpClient (Python) → HTTP receiver", () => {
  if (unavailable !== undefined && ci) {
    it("requires thrift-compiler and Python thrift under CI", () => {
      throw new Error(`CI is set but the THttpClient interop test cannot run: ${unavailable}`);
    });
    return;
  }
  if (unavailable !== undefined) {
    it.skip(`skipped: ${unavailable} (set CI=1 to make this a failure)`, () => {});
    return;
  }

  let workDir = "";
  let generated = "";
  let port = 0;
  const opened: HttpTransport[] = [];

  beforeAll(async () => {
    workDir = mkdtempSync(join(tmpdir(), "thrift-queue-thttpclient-"));
    generated = generatePython(workDir, "jobs", join(ROOT, "idl/jobs.thrift"), [join(ROOT, "idl")]);
    port = await freePort();
  });
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((transport) => transport.close({ drainTimeoutMs: 0 })));
  });
  afterAll(() => rmSync(workDir, { recursive: true, force: true }));

  async function receiver(path: string, secret?: string): Promise<{ transport: HttpTransport; url: string }> {
    const url = `http://127.0.0.1:${port}${path}`;
    const transport = new HttpTransport({ url, useEnvironment: false, ...(secret === undefined ? {} : { secret }) });
    opened.push(transport);
    await transport.listen();
    return { transport, url };
  }

  /** Runs the Python client (asynchronously: the receiver answers it from this very process). */
  async function python(args: readonly string[]): Promise<{ status: number; id: string | null }> {
    const { stdout } = await run(PYTHON, [SCRIPT, generated, ...args], {
      env: { ...process.env, THRIFT_QUEUE_HTTP_SECRET: SECRET },
      timeout: 20_000,
    });
    return JSON.parse(stdout) as { status: number; id: string | null };
  }

  for (const protocol of ["binary", "compact"] as const) {
    it(`delivers a oneway render call over ${protocol}, unsigned`, async () => {
      const { transport, url } = await receiver(`/thumbnails-${protocol}`);
      const answer = await python([url, protocol, `py-${protocol}`]);
      expect(answer.status).toBe(202);
      const delivery = await receiveOne(transport, { timeoutMs: 5000 });
      expect(delivery.metadata[MetadataKey.contentType]).toBe(ContentType[protocol]);
      const call = decodeCallMessage([Thumbnails], delivery.payload, { protocol });
      expect(call.header).toMatchObject({ name: "render", type: MessageType.ONEWAY });
      expect(call.method.name).toBe("render");
      expect(call.args).toEqual({
        job: {
          imageId: `py-${protocol}`,
          requestedAt: 1700000000123456n,
          priority: 3,
          sizes: ["64x64", "256x256"],
          labels: new Map([["source", "python"]]),
          owner: { name: "py", accountId: 42n },
        },
      });
      await delivery.ack();
    });
  }

  it("accepts a call signed with Python's hmac, and answers an unsigned one 401", async () => {
    const { transport, url } = await receiver("/thumbnails-signed", SECRET);
    const unsigned = await python([url, "binary", "py-unsigned"]);
    expect(unsigned.status).toBe(401);
    const signed = await python([url, "binary", "py-signed", "signed"]);
    expect(signed.status).toBe(202);
    const delivery = await receiveOne(transport, { timeoutMs: 5000 });
    expect(delivery.id).toBe(signed.id);
    expect(decodeCallMessage([Thumbnails], delivery.payload).args).toMatchObject({ job: { imageId: "py-signed" } });
    await delivery.ack();
  });
});
