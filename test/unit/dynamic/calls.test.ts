/** encodeCall / decodeCall: message types, multiplexing, inherited methods, replies, exceptions, errors. */
import { describe, expect, it } from "vitest";
import { ApplicationExceptionType } from "../../../src/codec/dynamic/application-exception.ts";
import { decodeCall, encodeCall } from "../../../src/codec/dynamic/index.ts";
import { createReader, createWriter } from "../../../src/codec/factory.ts";
import { MessageType, TType } from "../../../src/codec/protocol.ts";
import { codecErrorOf, expectCodecError } from "./error-helpers.ts";
import { index, protocols, svc } from "./schema-fixtures.ts";

describe.each(protocols)("calls (%s)", (protocol) => {
  const header = (bytes: Uint8Array) => createReader(bytes, protocol).readMessageBegin();

  it("a call: CALL header named after the method, then the args struct", () => {
    const args = { p: { x: 1, y: 2 }, dx: 3 };
    const bytes = encodeCall(index, svc("Calc"), "move", args, { protocol, seqid: 42 });
    expect(header(bytes)).toEqual({ name: "move", type: MessageType.CALL, seqid: 42 });
    // Byte-identical to writing the same thing by hand.
    const w = createWriter(protocol);
    w.writeMessageBegin("move", MessageType.CALL, 42);
    w.writeStructBegin();
    w.writeFieldBegin(TType.STRUCT, 1);
    w.writeStructBegin();
    w.writeFieldBegin(TType.I32, 1);
    w.writeI32(1);
    w.writeFieldBegin(TType.I32, 2);
    w.writeI32(2);
    w.writeFieldStop();
    w.writeStructEnd();
    w.writeFieldBegin(TType.I32, 2);
    w.writeI32(3);
    w.writeFieldStop();
    w.writeStructEnd();
    expect(bytes).toEqual(w.finish());
    expect(decodeCall(index, bytes, { protocol })).toEqual({
      service: "Calc",
      method: "move",
      type: "call",
      seqid: 42,
      args,
    });
  });

  it("a oneway method gets a ONEWAY header", () => {
    const bytes = encodeCall(index, svc("Calc"), "fire", { what: "now" }, { protocol });
    expect(header(bytes)).toEqual({ name: "fire", type: MessageType.ONEWAY, seqid: 0 });
    expect(decodeCall(index, bytes, { protocol })).toEqual({
      service: "Calc",
      method: "fire",
      type: "oneway",
      seqid: 0,
      args: { what: "now" },
    });
  });

  it("multiplexed names are Service:method and select the service when decoding", () => {
    const bytes = encodeCall(index, svc("Calc"), "ping", {}, { protocol, multiplexed: true, seqid: -7 });
    expect(header(bytes).name).toBe("Calc:ping");
    expect(decodeCall(index, bytes, { protocol })).toMatchObject({ service: "Calc", method: "ping", seqid: -7 });
    expect(decodeCall(index, bytes, { protocol, service: svc("Calc") })).toMatchObject({ service: "Calc" });
  });

  it("inherited methods resolve; a method shared only through extends is not ambiguous", () => {
    const bytes = encodeCall(index, svc("Calc"), "ping", {}, { protocol });
    expect(decodeCall(index, bytes, { protocol, service: svc("Calc") })).toMatchObject({
      service: "Calc",
      method: "ping",
    });
    // Base declares ping and Calc inherits it: the declaring service is reported.
    expect(decodeCall(index, bytes, { protocol })).toMatchObject({ service: "Base", method: "ping" });
  });

  it("a method of several unrelated services is ambiguous without a service or prefix", () => {
    const bytes = encodeCall(index, svc("Other"), "add", { x: "s" }, { protocol });
    expectCodecError(
      () => decodeCall(index, bytes, { protocol }),
      "CODEC_INVALID_VALUE",
      'method "add" is ambiguous between services Base, Calc, Other',
    );
    expect(decodeCall(index, bytes, { protocol, service: svc("Other") }).args).toEqual({ x: "s" });
    const multiplexed = encodeCall(index, svc("Other"), "add", { x: "s" }, { protocol, multiplexed: true });
    expect(decodeCall(index, multiplexed, { protocol }).args).toEqual({ x: "s" });
  });

  it("replies carry the result struct: success or a declared exception", () => {
    const success = encodeCall(
      index,
      svc("Calc"),
      "move",
      { success: { x: 5, y: 6 } },
      { protocol, type: "reply", seqid: 1 },
    );
    expect(header(success)).toEqual({ name: "move", type: MessageType.REPLY, seqid: 1 });
    expect(decodeCall(index, success, { protocol })).toEqual({
      service: "Calc",
      method: "move",
      type: "reply",
      seqid: 1,
      args: { success: { x: 5, y: 6 } },
    });
    const thrown = encodeCall(
      index,
      svc("Calc"),
      "move",
      { err: { message: "no", code: 2 } },
      { protocol, type: "reply" },
    );
    expect(decodeCall(index, thrown, { protocol }).args).toEqual({ err: { message: "no", code: 2 } });
    const inherited = encodeCall(
      index,
      svc("Calc"),
      "add",
      { success: 3 },
      { protocol, type: "reply", multiplexed: true },
    );
    expect(decodeCall(index, inherited, { protocol })).toMatchObject({
      service: "Calc",
      type: "reply",
      args: { success: 3 },
    });
    const voidReply = encodeCall(index, svc("Calc"), "ping", {}, { protocol, type: "reply" });
    expect(decodeCall(index, voidReply, { protocol }).args).toEqual({});
  });

  it("exceptions carry a TApplicationException", () => {
    const exception = { message: "boom", type: ApplicationExceptionType.INTERNAL_ERROR };
    const bytes = encodeCall(index, svc("Calc"), "move", exception, { protocol, type: "exception", seqid: 9 });
    expect(header(bytes)).toEqual({ name: "move", type: MessageType.EXCEPTION, seqid: 9 });
    expect(decodeCall(index, bytes, { protocol })).toEqual({
      service: "Calc",
      method: "move",
      type: "exception",
      seqid: 9,
      args: exception,
    });
  });

  it("an exception for a method the schema does not know still decodes", () => {
    const w = createWriter(protocol);
    w.writeMessageBegin("Nope:missing", MessageType.EXCEPTION, 3);
    w.writeStructBegin();
    w.writeFieldBegin(TType.STRING, 1);
    w.writeString("Invalid method name: 'missing'");
    w.writeFieldBegin(TType.I32, 2);
    w.writeI32(ApplicationExceptionType.UNKNOWN_METHOD);
    w.writeFieldStop();
    w.writeStructEnd();
    expect(decodeCall(index, w.finish(), { protocol })).toEqual({
      service: "Nope",
      method: "missing",
      type: "exception",
      seqid: 3,
      args: { message: "Invalid method name: 'missing'", type: 1 },
    });
  });

  it("services of included documents are found by multiplexed name only", () => {
    const remote = index.findService("shared.Remote");
    if (!remote) throw new Error("fixture");
    const reply = encodeCall(
      index,
      remote,
      "status",
      { success: { id: 2n ** 60n } },
      { protocol, type: "reply", multiplexed: true },
    );
    expect(decodeCall(index, reply, { protocol })).toMatchObject({
      service: "Remote",
      args: { success: { id: 2n ** 60n } },
    });
    const plain = encodeCall(index, remote, "status", {}, { protocol });
    expectCodecError(() => decodeCall(index, plain, { protocol }), "CODEC_INVALID_VALUE", 'unknown method "status"');
  });

  it("trailing bytes after the message are ignored", () => {
    const bytes = encodeCall(index, svc("Calc"), "fire", { what: "x" }, { protocol });
    expect(decodeCall(index, Uint8Array.of(...bytes, 0, 0, 0), { protocol }).args).toEqual({ what: "x" });
  });

  it("type overrides the message type", () => {
    const bytes = encodeCall(index, svc("Calc"), "fire", { what: "x" }, { protocol, type: "call" });
    expect(header(bytes).type).toBe(MessageType.CALL);
    expect(decodeCall(index, bytes, { protocol }).type).toBe("call");
  });
});

describe("call errors", () => {
  it("unknown methods", () => {
    expectCodecError(
      () => encodeCall(index, svc("Calc"), "nope", {}),
      "CODEC_INVALID_VALUE",
      'unknown method "nope" of service Calc',
    );
    const bytes = encodeCall(index, svc("Calc"), "move", { dx: 1 });
    expectCodecError(
      () => decodeCall(index, bytes, { service: svc("Other") }),
      "CODEC_INVALID_VALUE",
      'unknown method "move" of service Other',
    );
    const w = createWriter("binary");
    w.writeMessageBegin("nope", MessageType.CALL, 0);
    expectCodecError(() => decodeCall(index, w.finish()), "CODEC_INVALID_VALUE", 'unknown method "nope"');
  });

  it("multiplexed names that do not fit", () => {
    const bytes = encodeCall(index, svc("Calc"), "move", { dx: 1 }, { multiplexed: true });
    expectCodecError(
      () => decodeCall(index, bytes, { service: svc("Base") }),
      "CODEC_INVALID_VALUE",
      'message "Calc:move" is not for service Base',
    );
    const w = createWriter("binary");
    w.writeMessageBegin("Ghost:move", MessageType.CALL, 0);
    expectCodecError(() => decodeCall(index, w.finish()), "CODEC_INVALID_VALUE", 'unknown service "Ghost"');
  });

  it("argument errors carry the argument path", () => {
    expectCodecError(
      () => encodeCall(index, svc("Calc"), "move", { p: { x: "a", y: 1 }, dx: 1 }),
      "CODEC_INVALID_VALUE",
      'p.x: expected i32, got "a"',
    );
    expectCodecError(
      () => encodeCall(index, svc("Calc"), "move", {}),
      "CODEC_MISSING_REQUIRED",
      "dx: missing required field",
    );
    expectCodecError(
      () => encodeCall(index, svc("Calc"), "job", { job: { priority: 1 } }),
      "CODEC_MISSING_REQUIRED",
      "job.owner: missing required field",
    );
  });

  it("seqid must be an i32", () => {
    expectCodecError(
      () => encodeCall(index, svc("Calc"), "ping", {}, { seqid: 2 ** 31 }),
      "CODEC_INVALID_VALUE",
      "seqid must be an i32, got 2147483648",
    );
  });

  it("bad bytes are CodecErrors", () => {
    expect(codecErrorOf(() => decodeCall(index, Uint8Array.of(1, 2))).code).toMatch(/^CODEC_/);
    expect(codecErrorOf(() => decodeCall(index, Uint8Array.of(), { protocol: "compact" })).code).toBe(
      "CODEC_TRUNCATED",
    );
  });
});
