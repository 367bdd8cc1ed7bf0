/**
 * The assertions of test/integration/cross-python-generated.test.ts: what our generated code, decodeCallMessage
 * and the CLI must agree on with the stock Apache Thrift (Python) answers of stock_codec.py.
 */
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { expect } from "vitest";
import type { CliIo } from "../../../src/cli/cli-io.ts";
import { main } from "../../../src/cli/main.ts";
import { decodeCallMessage, encodeCallMessage } from "../../../src/codec/call-message.ts";
import { decodeCall } from "../../../src/codec/dynamic/index.ts";
import { createReader } from "../../../src/codec/factory.ts";
import { MessageType, type ProtocolName } from "../../../src/codec/protocol.ts";
import type { StructCodec } from "../../../src/codec/struct-codec.ts";
import type { EncodedCall } from "../../../src/producer/encoding-channel.ts";
import { expectedResult, type CallCase, type IdlCases, type StructCase } from "./cross-cases.ts";
import { bytesOf, canonical, hasUnorderedSet, hex, toWire, type StockBatch, type Wire } from "./stock-codec.ts";

const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
/** What Python's Processor answers for a handler that raised something undeclared. */
const INTERNAL_ERROR = { message: "Internal error", type: 6 };

/** A struct our generated codec wrote, and the requests about it. */
export interface SentStruct {
  readonly protocol: ProtocolName;
  readonly bytes: Uint8Array;
  /** Python reads our bytes. */
  readonly decode: number;
  /** Python writes the same value. */
  readonly python: number;
}

/** A call our generated client wrote, and the requests about it. */
export interface SentCall {
  readonly protocol: ProtocolName;
  readonly multiplexed: boolean;
  readonly seqid: number;
  readonly encoded: EncodedCall;
  /** Python reads the header and arguments. */
  readonly decode: number;
  /** The stock Processor runs the call. */
  readonly dispatch: number;
  /** Python's Client sends the same call. */
  readonly pythonCall: number;
}

/** Bytes the CLI wrote, and the request in which Python reads them. */
export interface CliOutput<Case> {
  readonly item: Case;
  readonly protocol: ProtocolName;
  readonly multiplexed: boolean;
  readonly bytes: Uint8Array;
  readonly decode: number;
}

/** Python reads our struct as the value we decode, and writes our bytes for it. */
export function checkStructReadByPython(batch: StockBatch, struct: StructCase, sent: SentStruct): void {
  const decoded = struct.codec.decode(sent.bytes, sent.protocol);
  if (struct.complete) wireEqual(toWire(decoded), toWire(struct.value), "decode(encode(value))");
  for (const [flavour, answer] of batch.flavours(sent.decode)) {
    const label = `${sent.protocol} ${flavour}`;
    expect(answer["unread"], `${label}: bytes left after the struct`).toBe(0);
    wireEqual(answer["value"], toWire(decoded), `${label}: the value Python read`);
    if (struct.complete) expect(answer["fromValue"], `${label}: Python's bytes for the value`).toBe(hex(sent.bytes));
    // Python keeps sets in hash order, so it writes back what it read in our order only without such sets.
    if (!hasUnorderedSet(decoded)) {
      const ours = hex(struct.codec.encode(decoded, sent.protocol));
      expect(answer["reencoded"], `${label}: Python's bytes for what it read`).toBe(ours);
    }
  }
}

/** Our codec reads the struct Python wrote as Python does, and writes Python's bytes again. */
export function checkStructFromPython(batch: StockBatch, struct: StructCase, sent: SentStruct): void {
  for (const [flavour, answer] of batch.flavours(sent.python)) {
    const label = `${sent.protocol} ${flavour}`;
    const decoded = struct.codec.decode(bytesOf(answer, "hex"), sent.protocol);
    wireEqual(toWire(decoded), answer["value"], `${label}: our value for Python's bytes`);
    expect(hex(struct.codec.encode(decoded, sent.protocol)), `${label}: our bytes for it`).toBe(answer["hex"]);
    if (struct.complete && !hasUnorderedSet(struct.value)) {
      expect(answer["hex"], `${label}: Python's bytes and ours for the value`).toBe(hex(sent.bytes));
    }
  }
}

/** Python reads our call's header and arguments, and its `Client.send_<method>` writes our bytes. */
export function checkCallReadByPython(batch: StockBatch, call: CallCase, sent: SentCall): void {
  expect([sent.encoded.service, sent.encoded.method, sent.encoded.oneway]).toEqual([
    call.service.name,
    call.method,
    call.descriptor.oneway,
  ]);
  const ours = decodeCallMessage([call.service], sent.encoded.bytes, { protocol: sent.protocol });
  if (call.complete) wireEqual(toWire(ours.args), toWire(call.args), "decode(encode(args))");
  for (const [flavour, answer] of batch.flavours(sent.decode)) {
    const label = `${sent.protocol} ${framing(sent)} ${flavour}`;
    expect(pick(answer, "name", "type", "seqid"), `${label}: header`).toEqual(expectedHeader(call, sent));
    expect(answer["unread"], `${label}: bytes left after the message`).toBe(0);
    wireEqual(answer["args"], toWire(ours.args), `${label}: the arguments Python read`);
    const send = `${label}: Client.send_${call.method}`;
    if (call.complete) expect(answer["fromValue"], `${send} of the arguments`).toBe(hex(sent.encoded.bytes));
    if (!hasUnorderedSet(ours.args)) {
      const again = encodeCallMessage(call.service, call.descriptor, ours.args, callOptions(sent));
      expect(answer["resent"], `${send} of what it read`).toBe(hex(again));
    }
  }
}

/** The stock Processor calls its handler with our arguments; its reply decodes with our result codec. */
export function checkDispatch(batch: StockBatch, call: CallCase, sent: SentCall): void {
  const ours = decodeCallMessage([call.service], sent.encoded.bytes, { protocol: sent.protocol });
  const args = ours.args as Record<string, unknown>;
  // The Processor passes the arguments to the handler positionally, in declaration order.
  const handlerCall = { method: call.method, args: call.descriptor.def.args.map((arg) => toWire(args[arg.name])) };
  for (const [flavour, answer] of batch.flavours(sent.dispatch)) {
    const label = `${sent.protocol} ${framing(sent)} ${flavour}`;
    wireEqual(answer["calls"], [handlerCall], `${label}: what the handler was called with`);
    const reply = bytesOf(answer, "reply");
    if (call.descriptor.oneway) expect(reply, `${label}: no reply to a oneway call`).toHaveLength(0);
    else checkReply(call, sent, reply, label);
  }
}

function checkReply(call: CallCase, sent: SentCall, reply: Uint8Array, label: string): void {
  const reader = createReader(reply, sent.protocol);
  const header = reader.readMessageBegin();
  // A reply carries the bare method name: TMultiplexedProcessor strips `Service:` before dispatching.
  if ("internalError" in call.respond) {
    expect(header, label).toEqual({ name: call.method, type: MessageType.EXCEPTION, seqid: sent.seqid });
    const decoded = decodeCall(call.service.schema, reply, { protocol: sent.protocol, service: call.service.def });
    expect([decoded.type, decoded.args], `${label}: TApplicationException`).toEqual(["exception", INTERNAL_ERROR]);
    return;
  }
  expect(header, label).toEqual({ name: call.method, type: MessageType.REPLY, seqid: sent.seqid });
  wireEqual(toWire(call.descriptor.result?.read(reader)), expectedResult(call.respond), `${label}: result struct`);
}

/** decodeCallMessage reads the call Python's Client wrote, and encodeCallMessage writes its bytes again. */
export function checkCallFromPython(batch: StockBatch, cases: IdlCases, call: CallCase, sent: SentCall): void {
  for (const [flavour, answer] of batch.flavours(sent.pythonCall)) {
    const label = `${sent.protocol} ${framing(sent)} ${flavour}`;
    expect(pick(answer, "name", "type", "seqid"), `${label}: the header Python read back`).toEqual(
      expectedHeader(call, sent),
    );
    // A multiplexed name selects the service; a plain one needs the service the queue is for.
    const services = sent.multiplexed ? cases.services : [call.service];
    const decoded = decodeCallMessage(services, bytesOf(answer, "hex"), { protocol: sent.protocol });
    expect({ ...decoded.header }, label).toEqual(expectedHeader(call, sent));
    expect([decoded.service, decoded.method], label).toEqual([call.service, call.descriptor]);
    wireEqual(toWire(decoded.args), answer["args"], `${label}: our arguments for Python's call`);
    if (!call.complete) continue; // decoding filled in defaults Python did not send
    const ours = encodeCallMessage(call.service, call.descriptor, decoded.args, callOptions(sent));
    expect(hex(ours), `${label}: our bytes for them`).toBe(answer["hex"]);
    if (!hasUnorderedSet(call.args)) {
      expect(answer["hex"], `${label}: Python's client and ours write the same call`).toBe(hex(sent.encoded.bytes));
    }
  }
}

/** `encode --type` writes the generated codec's bytes, and Python reads them. */
export function checkCliStruct(
  batch: StockBatch,
  { item: struct, protocol, bytes, decode }: CliOutput<StructCase>,
): void {
  const label = `${struct.name} ${protocol}`;
  const expected = struct.codec.encode(throughJsonText(struct.codec, struct.value), protocol);
  expect(hex(bytes), `${label}: CLI and generated codec`).toBe(hex(expected));
  expect(batch.pure(decode)["unread"], label).toBe(0);
  wireEqual(batch.pure(decode)["value"], toWire(struct.codec.decode(bytes, protocol)), `${label}: Python's value`);
}

/** `encode --call` writes the generated client's message, and Python reads its header and arguments. */
export function checkCliCall(batch: StockBatch, output: CliOutput<CallCase>): void {
  const { item: call, protocol, multiplexed, bytes } = output;
  const label = `${call.name} ${protocol} ${framing(output)}`;
  const args = throughJsonText(call.descriptor.args, call.args);
  const generated = encodeCallMessage(call.service, call.descriptor, args, { protocol, multiplexed });
  expect(hex(bytes), `${label}: CLI and generated client`).toBe(hex(generated));
  const answer = batch.pure(output.decode);
  expect(pick(answer, "name", "type", "seqid"), label).toEqual(expectedHeader(call, { multiplexed, seqid: 0 }));
  const ours = decodeCallMessage([call.service], bytes, { protocol });
  wireEqual(answer["args"], toWire(ours.args), `${label}: the arguments Python read`);
}

/** `decode --type` prints the struct Python wrote. */
export async function checkCliDecodeStruct(
  batch: StockBatch,
  cases: IdlCases,
  struct: StructCase,
  sent: SentStruct,
): Promise<void> {
  const answer = batch.pure(sent.python);
  const argv = ["decode", ...cliSchemaArgs(cases), "--type", struct.codec.qualifiedName, "--protocol", sent.protocol];
  const json = parseJson(await runCli(argv, bytesOf(answer, "hex")));
  const label = `${struct.name} ${sent.protocol}`;
  jsonEqual(toWire(struct.codec.fromJSON(json)), answer["value"], label);
}

/** `decode --call` prints the call Python's Client wrote and the stock Processor's reply to it. */
export async function checkCliDecodeCall(
  batch: StockBatch,
  cases: IdlCases,
  call: CallCase,
  sent: SentCall,
): Promise<void> {
  const label = `${call.name} ${sent.protocol} ${framing(sent)}`;
  const argv = ["decode", ...cliSchemaArgs(cases), "--call", call.service.qualifiedName, "--protocol", sent.protocol];
  const pythonCall = batch.pure(sent.pythonCall);
  const decoded = parseJson(await runCli(argv, bytesOf(pythonCall, "hex")));
  const type = call.descriptor.oneway ? "oneway" : "call";
  expect(pick(decoded, "service", "method", "type", "seqid"), label).toEqual({
    service: call.service.name,
    method: call.method,
    type,
    seqid: sent.seqid,
  });
  const args = toWire(call.descriptor.args.fromJSON(decoded["args"]));
  jsonEqual(args, pythonCall["args"], `${label}: arguments`);
  if (call.descriptor.oneway) return;
  const reply = parseJson(await runCli(argv, bytesOf(batch.pure(sent.dispatch), "reply")));
  if ("internalError" in call.respond) {
    expect(pick(reply, "type", "seqid", "args"), label).toEqual({
      type: "exception",
      seqid: sent.seqid,
      args: INTERNAL_ERROR,
    });
    return;
  }
  expect(pick(reply, "service", "method", "type", "seqid"), label).toEqual({
    ...pick(decoded, "service", "method"),
    type: "reply",
    seqid: sent.seqid,
  });
  const result = toWire(call.descriptor.result?.fromJSON(reply["args"]));
  jsonEqual(result, expectedResult(call.respond), `${label}: result`);
}

// ---------------------------------------------------------------- helpers

function expectedHeader(call: CallCase, sent: { multiplexed: boolean; seqid: number }) {
  return {
    name: sent.multiplexed ? `${call.service.name}:${call.method}` : call.method,
    type: call.descriptor.oneway ? MessageType.ONEWAY : MessageType.CALL,
    seqid: sent.seqid,
  };
}

function callOptions(sent: SentCall) {
  return { protocol: sent.protocol, multiplexed: sent.multiplexed, seqid: sent.seqid };
}

function framing(sent: { multiplexed: boolean }): string {
  return sent.multiplexed ? "multiplexed" : "plain";
}

function pick<T extends Record<string, unknown>>(object: T, ...keys: string[]): Record<string, unknown> {
  return Object.fromEntries(keys.map((key) => [key, object[key]]));
}

function wireEqual(actual: Wire | undefined, expected: Wire | undefined, label: string): void {
  expect(canonical(actual ?? null), label).toEqual(canonical(expected ?? null));
}

/** For values that came through the CLI's JSON: -0 is printed as 0, integer-like object keys are reordered. */
function jsonEqual(actual: Wire, expected: Wire | undefined, label: string): void {
  expect(canonical(actual, true), label).toEqual(canonical(withoutNegativeZero(expected), true));
}

/** The value the CLI receives when a JSON text carries it (JSON.stringify writes -0 as 0). */
function throughJsonText<T>(codec: StructCodec<T>, value: T): T {
  return codec.fromJSON(JSON.parse(JSON.stringify(codec.toJSON(value))));
}

function withoutNegativeZero(wire: Wire | undefined): Wire {
  if (wire === "-0") return 0;
  if (Array.isArray(wire)) return wire.map(withoutNegativeZero);
  if (wire === undefined || wire === null || typeof wire !== "object") return wire ?? null;
  return Object.fromEntries(Object.entries(wire).map(([key, item]) => [key, withoutNegativeZero(item)]));
}

/** The `--idl` and `-I` options of an IDL. */
export function cliSchemaArgs(cases: IdlCases): string[] {
  return ["--idl", join(ROOT, cases.idl), ...cases.includeDirs.flatMap((dir) => ["-I", join(ROOT, dir)])];
}

/** Runs `thrift-queue <argv>` in-process with `stdin`; returns stdout and fails with stderr on a non-zero exit. */
export async function runCli(argv: readonly string[], stdin: Uint8Array): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  let stderr = "";
  const io: CliIo = {
    readStdin: () => Promise.resolve(stdin),
    writeStdout: (chunk) => chunks.push(Buffer.from(chunk)),
    writeStderr: (text) => {
      stderr += text;
    },
  };
  const code = await main(argv, io);
  if (code !== 0) throw new Error(`thrift-queue ${argv.join(" ")} exited with ${code}: ${stderr}`);
  return new Uint8Array(Buffer.concat(chunks));
}

/** A value as JSON text on stdin. */
export function jsonBytes(value: unknown): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(value));
}

function parseJson(bytes: Uint8Array): Record<string, unknown> {
  return JSON.parse(new TextDecoder().decode(bytes)) as Record<string, unknown>;
}
