import { PassThrough } from "node:stream";
import type { ChannelModel } from "amqplib";
import { describe, expect, it } from "vitest";
import { coalesceSocketWrites } from "../../../../src/transport/amqp/socket-write-coalescing.ts";

/** A stream that records each chunk its underlying write receives (one entry per would-be system call). */
function recordingStream(): { stream: PassThrough; calls: number[] } {
  const calls: number[] = [];
  const stream = new PassThrough();
  stream._writev = (chunks, callback) => {
    calls.push(chunks.length);
    callback();
  };
  stream._write = (_chunk, _encoding, callback) => {
    calls.push(1);
    callback();
  };
  return { stream, calls };
}

const modelWith = (stream: unknown): ChannelModel => ({ connection: { stream } }) as unknown as ChannelModel;

describe("coalesceSocketWrites", () => {
  it("sends the writes of one tick together on the next tick, in order", async () => {
    const { stream, calls } = recordingStream();
    const written: string[] = [];
    stream.on("data", (chunk: Buffer) => written.push(chunk.toString()));
    coalesceSocketWrites(modelWith(stream));
    stream.write("a");
    stream.write("b");
    stream.write("c");
    expect(calls).toEqual([]);
    await new Promise((resolve) => process.nextTick(resolve));
    expect(calls).toEqual([3]);
    stream.write("d");
    await new Promise((resolve) => setImmediate(resolve));
    expect(calls).toEqual([3, 1]);
    expect(stream.writableCorked).toBe(0);
  });

  it("leaves a connection without a socket alone", () => {
    expect(() => coalesceSocketWrites(modelWith(undefined))).not.toThrow();
    expect(() => coalesceSocketWrites({} as ChannelModel)).not.toThrow();
  });
});
