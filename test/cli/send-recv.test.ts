/** `send` and `recv` over the in-memory transport (queues are shared within this process). */
import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { ContentType, MemoryTransport, MetadataKey, uuidv7Timestamp } from "thrift-queue";
import { receiveOne } from "../conformance/receive-helpers.ts";
import { repoPath, runCli } from "./run-cli.ts";

const IDL = repoPath("idl/jobs.thrift");
const ARGS = '{"job": {"imageId": "img-1", "requestedAt": 5, "sizes": ["64x64"]}}';

function queueUrl(): string {
  return `memory://cli-${randomUUID()}`;
}

function lines(bytes: Uint8Array): string[] {
  return new TextDecoder()
    .decode(bytes)
    .split("\n")
    .filter((line) => line !== "");
}

describe("thrift-queue send", () => {
  it("sends N calls and prints one job id per line", async () => {
    const url = queueUrl();
    const run = await runCli(["send", "--idl", IDL, "--transport", url, "Thumbnails.render", ARGS, "--count", "3"]);
    expect(run).toMatchObject({ code: 0, stderr: "" });
    const ids = lines(run.stdout);
    expect(ids).toHaveLength(3);
    for (const id of ids) expect(uuidv7Timestamp(id)).toBeGreaterThan(0);
    const transport = new MemoryTransport({ queue: url.slice("memory://".length) });
    expect(await transport.stats()).toMatchObject({ visible: 3 });
    const delivery = await receiveOne(transport, { timeoutMs: 1000 });
    expect(delivery.metadata[MetadataKey.contentType]).toBe(ContentType.binary);
    await delivery.ack();
    await transport.close();
  });

  it.each([
    [["Thumbnails.nope", ARGS], /unknown method/],
    [["Thumbnails.render", '{"job": {"imageId": 5}}'], /job\.imageId: expected string, got 5/],
    [["Thumbnails.render", "{not json"], /not valid JSON/],
    [["Thumbnails.render"], /missing the JSON arguments/],
    [["Thumbnails.render", ARGS, "--count", "0"], /--count must be a whole number/],
  ])("rejects %j with one line and sends nothing", async (extra, message) => {
    const url = queueUrl();
    const run = await runCli(["send", "--idl", IDL, "--transport", url, ...extra]);
    expect(run.code).toBe(2);
    expect(run.stdout).toEqual(new Uint8Array(0));
    expect(run.stderr.trim().split("\n")).toHaveLength(1);
    expect(run.stderr).toMatch(message);
    const transport = new MemoryTransport({ queue: url.slice("memory://".length) });
    expect(await transport.stats()).toMatchObject({ visible: 0 });
  });

  it("reports an unusable transport URL as one line", async () => {
    const run = await runCli(["send", "--idl", IDL, "--transport", "ftp://nowhere/q", "Thumbnails.render", ARGS]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^thrift-queue: invalid transport URL .*unknown scheme/);
  });
});

describe("thrift-queue recv", () => {
  it("prints each call as a JSON line and acks it", async () => {
    const url = queueUrl();
    const sent = lines(
      (await runCli(["send", "--idl", IDL, "--transport", url, "Thumbnails.render", ARGS, "--count", "2"])).stdout,
    );
    const run = await runCli(["recv", "--idl", IDL, "--transport", url, "--count", "2", "--timeout", "1"]);
    expect(run).toMatchObject({ code: 0, stderr: "" });
    const received = lines(run.stdout).map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(received.map((line) => line["jobId"])).toEqual(sent);
    expect(received[0]).toMatchObject({
      service: "Thumbnails",
      method: "render",
      args: { job: { imageId: "img-1", requestedAt: 5, sizes: ["64x64"] } },
      metadata: { [MetadataKey.contentType]: ContentType.binary, [MetadataKey.jobId]: sent[0] },
    });
    const again = await runCli(["recv", "--idl", IDL, "--transport", url, "--timeout", "0.2"]);
    expect(lines(again.stdout)).toEqual([]);
  });

  it("dead-letters an undecodable message with the reason, and --dlq reads it back", async () => {
    const url = queueUrl();
    const transport = new MemoryTransport({ queue: url.slice("memory://".length) });
    await transport.send([{ id: "bad-1", payload: new Uint8Array([1, 2, 3]), metadata: {} }]);
    const run = await runCli(["recv", "--idl", IDL, "--transport", url, "--timeout", "0.3"]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^thrift-queue: message bad-1: /);
    expect(await transport.stats()).toMatchObject({ visible: 0, deadLettered: 1 });
    const dead = await runCli(["recv", "--idl", IDL, "--transport", url, "--dlq", "--timeout", "0.3"]);
    expect(dead.code).toBe(2); // still undecodable, and left in the dead-letter queue
    expect(await transport.stats()).toMatchObject({ deadLettered: 1 });
    await transport.close();
  });

  it("refuses --peek where the transport cannot peek", async () => {
    const run = await runCli(["recv", "--idl", IDL, "--transport", queueUrl(), "--peek"]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/--peek is not supported by the memory transport/);
  });
});
