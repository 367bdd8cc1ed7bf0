/** `StructCodec.decode` reuses one reader per protocol: no state, limit or input may leak from one decode to the next. */
import { describe, expect, it } from "vitest";
import { BinaryReader } from "../../../src/codec/binary-reader.ts";
import { CompactReader } from "../../../src/codec/compact-reader.ts";
import { returnReader, takeReader } from "../../../src/codec/reader-pool.ts";
import type { ProtocolName } from "../../../src/codec/protocol.ts";
import { decodeCallMessage, encodeCallMessage } from "../../../src/codec/call-message.ts";
import { CodecError } from "../../../src/errors.ts";
import { Thumbnails, type ThumbnailJob } from "../../../examples/quickstart/gen/jobs.ts";
import { AllTypes, TreeNode } from "../../golden/gen/everything/everything.ts";

const protocols: readonly ProtocolName[] = ["binary", "compact"];

const tree: TreeNode = {
  name: "root",
  children: [{ name: "leaf-one" }, { name: "leaf-two", by_name: new Map([["x", { name: "deep" }]]) }],
};
const values: AllTypes = {
  flag: true,
  tiny: -3,
  small: 4,
  short_value: -300,
  normal: 70000,
  big: -(2n ** 62n),
  ratio: 0.25,
  text: "héllo, plain-ascii-text",
  data: Uint8Array.of(1, 2, 3),
};

function codeOf(fn: () => unknown): string {
  try {
    fn();
    return "ok";
  } catch (error) {
    if (error instanceof CodecError) return error.code;
    throw error;
  }
}

describe("pooled readers", () => {
  it.each(protocols)("decode correctly after a failed decode left the reader mid-message (%s)", (protocol) => {
    const good = TreeNode.encode(tree, protocol);
    const truncated = good.subarray(0, good.length - 3);
    expect(codeOf(() => TreeNode.decode(truncated, protocol))).toBe("CODEC_TRUNCATED");
    expect(TreeNode.decode(good, protocol)).toEqual(tree);
    const bytes = AllTypes.encode(values, protocol);
    expect(AllTypes.decode(bytes, protocol)).toEqual(values);
  });

  it.each(protocols)("apply each decode's own limits, not the previous one's (%s)", (protocol) => {
    const bytes = TreeNode.encode(tree, protocol);
    expect(codeOf(() => TreeNode.decode(bytes, protocol, { maxStringBytes: 4 }))).toBe("CODEC_LIMIT_EXCEEDED");
    expect(TreeNode.decode(bytes, protocol)).toEqual(tree);
    expect(codeOf(() => TreeNode.decode(bytes, protocol, { maxDepth: 2 }))).toBe("CODEC_DEPTH_EXCEEDED");
    expect(TreeNode.decode(bytes, protocol, { maxDepth: 5 })).toEqual(tree);
    expect(codeOf(() => TreeNode.decode(bytes, protocol, { maxMessageBytes: bytes.length - 1 }))).toBe(
      "CODEC_LIMIT_EXCEEDED",
    );
    expect(TreeNode.decode(bytes, protocol)).toEqual(tree);
  });

  it.each(protocols)("read each input's own text, even when the same buffer is rewritten in place (%s)", (protocol) => {
    const first = TreeNode.encode({ name: "aaaa-first-name" }, protocol);
    const second = TreeNode.encode({ name: "bbbb-other-name" }, protocol);
    const shared = Uint8Array.from(first);
    expect(TreeNode.decode(shared, protocol).name).toBe("aaaa-first-name");
    shared.set(second);
    expect(TreeNode.decode(shared, protocol).name).toBe("bbbb-other-name");
  });

  it.each(protocols)("hand out a new reader while one is taken, and let go of the input (%s)", (protocol) => {
    const bytes = TreeNode.encode(tree, protocol);
    const outer = takeReader(bytes, protocol);
    const inner = takeReader(bytes, protocol);
    expect(inner).not.toBe(outer);
    expect(outer).toBeInstanceOf(protocol === "binary" ? BinaryReader : CompactReader);
    expect(TreeNode.read(inner)).toEqual(tree);
    expect(TreeNode.read(outer)).toEqual(tree);
    returnReader(inner);
    returnReader(outer);
    expect(outer.remaining).toBe(0);
    const again = takeReader(bytes, protocol);
    expect(again).toBe(outer);
    expect(again.remaining).toBe(bytes.length);
    returnReader(again);
  });

  it.each(protocols)("keep a reader idle when the next input is refused (%s)", (protocol) => {
    const bytes = TreeNode.encode(tree, protocol);
    const reader = takeReader(bytes, protocol);
    returnReader(reader);
    expect(codeOf(() => takeReader(bytes, protocol, { maxMessageBytes: 1 }))).toBe("CODEC_LIMIT_EXCEEDED");
    const next = takeReader(bytes, protocol);
    expect(next).toBe(reader);
    returnReader(next);
  });

  it("resets compact field-id and bool state between messages", () => {
    const bytes = AllTypes.encode(values, "compact");
    const reader = takeReader(bytes, "compact");
    reader.readStructBegin();
    expect(reader.readFieldBegin()).toBe(2); // the bool field: its value came with the header
    returnReader(reader);
    expect(AllTypes.decode(bytes, "compact")).toEqual(values);
  });

  it.each(protocols)("serve call messages too: a refused call leaves nothing behind for the next (%s)", (protocol) => {
    const job: ThumbnailJob = { imageId: "img-20240611-0042", requestedAt: 5n, priority: 3, sizes: ["64x64"] };
    const bytes = encodeCallMessage(Thumbnails, Thumbnails.methods.render, { job }, { protocol, multiplexed: true });
    const options = { protocol, limits: { maxStringBytes: 8 } };
    expect(codeOf(() => decodeCallMessage([Thumbnails], bytes, options))).toBe("CODEC_LIMIT_EXCEEDED");
    expect(codeOf(() => decodeCallMessage([Thumbnails], bytes.subarray(0, bytes.length - 2), { protocol }))).toBe(
      "CODEC_TRUNCATED",
    );
    const decoded = decodeCallMessage([Thumbnails], bytes, { protocol });
    expect(decoded.method).toBe(Thumbnails.methods.render);
    expect(decoded.args).toEqual({ job });
  });
});
