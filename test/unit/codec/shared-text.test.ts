/** ASCII strings are sliced from one latin1 text of the input: positions must hold for views and both protocols. */
import { describe, expect, it } from "vitest";
import { CodecError, createReader, createWriter, type ProtocolName } from "thrift-queue";

const protocols: readonly ProtocolName[] = ["binary", "compact"];

function encodeStrings(protocol: ProtocolName, values: readonly string[]): Uint8Array {
  const writer = createWriter(protocol);
  writer.writeListBegin(11, values.length);
  for (const value of values) writer.writeString(value);
  return writer.finish();
}

function decodeStrings(protocol: ProtocolName, bytes: Uint8Array): string[] {
  const reader = createReader(bytes, protocol);
  const size = reader.readListBegin();
  return Array.from({ length: size }, () => reader.readString());
}

describe("strings read from the shared latin1 text", () => {
  const values = ["", "a", "job-7f3c9a12", "x".repeat(40), "héllo", "tab\tand\u007f", "after-non-ascii", "\u0000nul"];

  it.each(protocols)("come back exactly, mixed with non-ASCII strings (%s)", (protocol) => {
    expect(decodeStrings(protocol, encodeStrings(protocol, values))).toEqual(values);
  });

  it.each(protocols)("are right in a view at an offset of a larger buffer, and in a Buffer (%s)", (protocol) => {
    const bytes = encodeStrings(protocol, values);
    const backing = new Uint8Array(bytes.length + 10).fill(0xff);
    backing.set(bytes, 7);
    expect(decodeStrings(protocol, backing.subarray(7, 7 + bytes.length))).toEqual(values);
    expect(decodeStrings(protocol, Buffer.from(bytes))).toEqual(values);
  });

  it.each(protocols)("are right past the shared-text size, where each is decoded alone (%s)", (protocol) => {
    const many = Array.from({ length: 400 }, (_, index) => `value-${index}-${"z".repeat(index % 20)}`);
    expect(decodeStrings(protocol, encodeStrings(protocol, many))).toEqual(many);
  });

  it.each(protocols)("still reject invalid UTF-8 next to ASCII strings (%s)", (protocol) => {
    const bytes = encodeStrings(protocol, ["plain-ascii-text", "ab"]);
    bytes[bytes.length - 1] = 0xc3; // "a\xc3": a truncated two-byte sequence
    expect(() => decodeStrings(protocol, bytes)).toThrow(CodecError);
  });
});
