/**
 * `encode --call` and `decode --call`: complete messages (header bytes checked by hand), multiplexed names,
 * methods inherited through `extends`, and replies and exceptions decoded as result structs and
 * TApplicationExceptions.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { findNamedService, loadCliSchema } from "../../src/cli/load-cli-schema.ts";
import { APPLICATION_EXCEPTION_DEF } from "../../src/codec/dynamic/application-exception.ts";
import { encodeCall, writeStruct } from "../../src/codec/dynamic/index.ts";
import { createWriter } from "../../src/codec/factory.ts";
import { MessageType, type ProtocolName } from "../../src/codec/protocol.ts";
import type { SchemaIndex } from "../../src/model/schema-index.ts";
import { MAPPING_IDL, expectBytes, expectJson, fixture, runCli } from "./run-cli.ts";

const PROTOCOLS = ["binary", "compact"] as const;
const IDL = ["--idl", MAPPING_IDL] as const;

async function encodeCallBytes(target: string, args: unknown, options: readonly string[] = []): Promise<Uint8Array> {
  return expectBytes(await runCli(["encode", ...IDL, "--call", target, ...options], JSON.stringify({ args })));
}

async function decodeCallJson(bytes: Uint8Array, options: readonly string[] = []): Promise<unknown> {
  return expectJson(await runCli(["decode", ...IDL, ...options], bytes));
}

/** The header of a message, read by hand so that the CLI's own reader is not the judge. */
function header(bytes: Uint8Array, protocol: ProtocolName): { name: string; type: number; seqid: number } {
  const text = (start: number, length: number) => new TextDecoder().decode(bytes.subarray(start, start + length));
  if (protocol === "binary") {
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    expect(view.getUint16(0)).toBe(0x8001); // strict header, version 1
    const length = view.getInt32(4);
    return { type: bytes[3]!, name: text(8, length), seqid: view.getInt32(8 + length) };
  }
  expect(bytes[0]).toBe(0x82); // compact protocol id
  expect(bytes[1]! & 0x1f).toBe(1); // version 1
  expect(bytes[2]).toBe(0); // seqid 0 as a one-byte varint
  const length = bytes[3]!; // short names: a one-byte varint
  return { type: bytes[1]! >> 5, name: text(4, length), seqid: 0 };
}

describe.each(PROTOCOLS)("--protocol %s", (protocol) => {
  const options = ["--protocol", protocol];

  it("a oneway method is written as ONEWAY with seqid 0, and decodes as type oneway", async () => {
    const args = { job: { name: "n", sizes: ["64x64"], choice: { number: "9007199254740993" } } };
    const bytes = await encodeCallBytes("Jobs.fire", args, options);
    expect(header(bytes, protocol)).toEqual({ name: "fire", type: MessageType.ONEWAY, seqid: 0 });
    expect(await decodeCallJson(bytes, ["--call", ...options])).toEqual({
      service: "Jobs",
      method: "fire",
      type: "oneway",
      seqid: 0,
      args,
    });
  });

  it("any other method is written as CALL", async () => {
    const bytes = await encodeCallBytes("Jobs.submit", { job: { name: "n" } }, options);
    expect(header(bytes, protocol)).toEqual({ name: "submit", type: MessageType.CALL, seqid: 0 });
    expect(await decodeCallJson(bytes, ["--call", "Jobs.submit", ...options])).toEqual({
      service: "Jobs",
      method: "submit",
      type: "call",
      seqid: 0,
      args: { job: { name: "n" } },
    });
  });

  it("--multiplexed names the message <Service>:<method>, which names the service when decoding", async () => {
    const bytes = await encodeCallBytes("Admin.submit", { job: { name: "n" } }, [...options, "--multiplexed"]);
    expect(header(bytes, protocol)).toEqual({ name: "Admin:submit", type: MessageType.CALL, seqid: 0 });
    expect(await decodeCallJson(bytes, ["--call", ...options])).toMatchObject({ service: "Admin", method: "submit" });
  });

  it("methods inherited through extends, across an include", async () => {
    const poke = await encodeCallBytes("Admin.poke", { times: 3 }, [...options, "--multiplexed"]);
    expect(header(poke, protocol)).toEqual({ name: "Admin:poke", type: MessageType.ONEWAY, seqid: 0 });
    expect(await decodeCallJson(poke, ["--call", "Admin.poke", ...options])).toEqual({
      service: "Admin",
      method: "poke",
      type: "oneway",
      seqid: 0,
      args: { times: 3 },
    });
    const ping = await encodeCallBytes("Jobs.ping", {}, options);
    expect(header(ping, protocol)).toEqual({ name: "ping", type: MessageType.CALL, seqid: 0 });
    // Unprefixed and answered by both Jobs and Admin: the service that declares it is reported.
    expect(await decodeCallJson(ping, ["--call", ...options])).toEqual({
      service: "Base",
      method: "ping",
      type: "call",
      seqid: 0,
      args: {},
    });
    expect(await decodeCallJson(ping, ["--call", "Admin", ...options])).toMatchObject({ service: "Admin" });
  });

  it("services of an included file are named <include>.<Service>", async () => {
    const bytes = await encodeCallBytes("billing.Base.poke", { times: -1 }, [...options, "--multiplexed"]);
    expect(header(bytes, protocol).name).toBe("Base:poke");
    expect(await decodeCallJson(bytes, ["--call", "billing.Base", ...options])).toMatchObject({
      service: "Base",
      args: { times: -1 },
    });
    expect(await decodeCallJson(bytes, ["--call", "billing.Base.poke", ...options])).toMatchObject({ method: "poke" });
  });

  it("a method without arguments takes {} and a void method's args are {}", async () => {
    const bytes = await encodeCallBytes("Admin.reset", {}, options);
    expect(await decodeCallJson(bytes, ["--call", ...options])).toEqual({
      service: "Admin",
      method: "reset",
      type: "call",
      seqid: 0,
      args: {},
    });
  });
});

it("a root service named like an included one does not capture the included one's methods", async () => {
  // ping is inherited by Left and Right from billing.Base and reported as Base's; the root's own Base lacks it.
  const idl = ["--idl", fixture("shadow.thrift")];
  const bytes = expectBytes(await runCli(["encode", ...idl, "--call", "Left.ping"], '{"args": {}}'));
  expect(expectJson(await runCli(["decode", ...idl, "--call"], bytes))).toEqual({
    service: "Base",
    method: "ping",
    type: "call",
    seqid: 0,
    args: {},
  });
});

describe("replies and exceptions", () => {
  let index: SchemaIndex;
  beforeAll(async () => {
    index = await loadCliSchema(MAPPING_IDL, []);
  });

  const reply = (method: string, result: unknown, protocol: ProtocolName, multiplexed = false) =>
    encodeCall(index, findNamedService(index, "Jobs"), method, result, {
      type: "reply",
      seqid: 7,
      protocol,
      multiplexed,
    });

  it.each(PROTOCOLS)("%s: a reply decodes as the method's result struct", async (protocol) => {
    const options = ["--call", "--protocol", protocol];
    expect(await decodeCallJson(reply("submit", { success: 2n ** 62n }, protocol), options)).toEqual({
      service: "Jobs",
      method: "submit",
      type: "reply",
      seqid: 7,
      args: { success: "4611686018427387904" },
    });
    const rejected = reply("submit", { rejected: { reason: "full", code: 429 } }, protocol, true);
    expect(await decodeCallJson(rejected, options)).toMatchObject({
      args: { rejected: { reason: "full", code: 429 } },
    });
    const declined = reply("submit", { declined: { reason: "no", attempted: { micros: 1n } } }, protocol);
    expect(await decodeCallJson(declined, ["--call", "Jobs.submit", "--protocol", protocol])).toMatchObject({
      args: { declined: { reason: "no", attempted: { micros: 1, currency: "EUR" } } },
    });
    expect(await decodeCallJson(reply("nothing", {}, protocol), options)).toMatchObject({
      method: "nothing",
      type: "reply",
      args: {},
    });
  });

  it.each(PROTOCOLS)("%s: an exception decodes as a TApplicationException", async (protocol) => {
    const jobs = findNamedService(index, "Jobs");
    const bytes = encodeCall(
      index,
      jobs,
      "submit",
      { message: "boom", type: 6 },
      { type: "exception", seqid: -3, protocol },
    );
    expect(await decodeCallJson(bytes, ["--call", "Jobs.submit", "--protocol", protocol])).toEqual({
      service: "Jobs",
      method: "submit",
      type: "exception",
      seqid: -3,
      args: { message: "boom", type: 6 },
    });
  });

  it.each(PROTOCOLS)("%s: an exception for a method the IDL lacks (UNKNOWN_METHOD) still decodes", async (protocol) => {
    const writer = createWriter(protocol);
    writer.writeMessageBegin("Jobs:vanished", MessageType.EXCEPTION, 1);
    writeStruct(index, APPLICATION_EXCEPTION_DEF, { message: "Invalid method name: 'vanished'", type: 1 }, writer);
    expect(await decodeCallJson(writer.finish(), ["--call", "Jobs", "--protocol", protocol])).toEqual({
      service: "Jobs",
      method: "vanished",
      type: "exception",
      seqid: 1,
      args: { message: "Invalid method name: 'vanished'", type: 1 },
    });
  });
});
