/** Write-then-read round trips of structs, containers, bools, field ids and message headers, in both protocols. */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { BinaryWriter } from "../../../src/codec/binary-writer.ts";
import { CompactReader } from "../../../src/codec/compact-reader.ts";
import { CompactWriter } from "../../../src/codec/compact-writer.ts";
import { createReader, createWriter } from "../../../src/codec/factory.ts";
import { MessageType, TType } from "../../../src/codec/protocol.ts";
import type { MessageTypeId, ProtocolName, TTypeId } from "../../../src/codec/protocol.ts";
import { ConfigError } from "../../../src/errors.ts";
import { codeOf, protocols } from "./helpers/roundtrip.ts";
import { toHex } from "./helpers/scenarios.ts";

describe.each(protocols)("%s structure round trips", (protocol) => {
  it("bool fields and bools in lists, sets and maps", () => {
    const w = createWriter(protocol);
    w.writeStructBegin();
    w.writeFieldBegin(TType.BOOL, 1);
    w.writeBool(true);
    w.writeFieldBegin(TType.BOOL, 300); // long-form header in compact
    w.writeBool(false);
    w.writeFieldBegin(TType.LIST, 301);
    w.writeListBegin(TType.BOOL, 3);
    [true, false, true].forEach((b) => w.writeBool(b));
    w.writeFieldBegin(TType.MAP, 302);
    w.writeMapBegin(TType.BOOL, TType.BOOL, 1);
    w.writeBool(false);
    w.writeBool(true);
    w.writeFieldBegin(TType.BOOL, 303);
    w.writeBool(true);
    w.writeFieldStop();
    w.writeStructEnd();
    const r = createReader(w.finish(), protocol);
    r.readStructBegin();
    const seen: unknown[] = [];
    for (let t = r.readFieldBegin(); t !== TType.STOP; t = r.readFieldBegin()) {
      if (t === TType.BOOL) seen.push([r.fieldId, r.readBool()]);
      else if (t === TType.LIST) {
        const n = r.readListBegin();
        seen.push([r.fieldId, r.elementType, Array.from({ length: n }, () => r.readBool())]);
        r.readContainerEnd();
      } else {
        r.readMapBegin();
        seen.push([r.fieldId, r.keyType, r.valueType, r.readBool(), r.readBool()]);
        r.readContainerEnd();
      }
    }
    r.readStructEnd();
    expect(seen).toEqual([
      [1, true],
      [300, false],
      [301, TType.BOOL, [true, false, true]],
      [302, TType.BOOL, TType.BOOL, false, true],
      [303, true],
    ]);
  });

  it("random field-id sequences, including negative ids and big jumps, and nested structs (property)", () => {
    const idArb = fc.integer({ min: -32768, max: 32767 });
    fc.assert(
      fc.property(fc.array(fc.tuple(idArb, fc.boolean(), fc.boolean()), { maxLength: 30 }), (fields) => {
        const w = createWriter(protocol);
        w.writeStructBegin();
        for (const [id, isBool, nested] of fields) {
          if (isBool) {
            w.writeFieldBegin(TType.BOOL, id);
            w.writeBool(nested);
          } else if (nested) {
            w.writeFieldBegin(TType.STRUCT, id);
            w.writeStructBegin();
            w.writeFieldBegin(TType.I32, 100);
            w.writeI32(id);
            w.writeFieldStop();
            w.writeStructEnd();
          } else {
            w.writeFieldBegin(TType.I16, id);
            w.writeI16(id);
          }
        }
        w.writeFieldStop();
        w.writeStructEnd();
        const r = createReader(w.finish(), protocol);
        r.readStructBegin();
        for (const [id, isBool, nested] of fields) {
          const t = r.readFieldBegin();
          expect(r.fieldId).toBe(id);
          if (isBool) {
            expect(t).toBe(TType.BOOL);
            expect(r.readBool()).toBe(nested);
          } else if (nested) {
            expect(t).toBe(TType.STRUCT);
            r.readStructBegin();
            expect(r.readFieldBegin()).toBe(TType.I32);
            expect(r.fieldId).toBe(100);
            expect(r.readI32()).toBe(id);
            expect(r.readFieldBegin()).toBe(TType.STOP);
            r.readStructEnd();
          } else {
            expect(t).toBe(TType.I16);
            expect(r.readI16()).toBe(id);
          }
        }
        expect(r.readFieldBegin()).toBe(TType.STOP);
        r.readStructEnd();
        expect(r.remaining).toBe(0);
      }),
      { numRuns: 500 },
    );
  });

  it("containers of every element type, empty and non-empty, nested", () => {
    const w = createWriter(protocol);
    w.writeStructBegin();
    w.writeFieldBegin(TType.MAP, 1);
    w.writeMapBegin(TType.STRING, TType.LIST, 2);
    w.writeString("a");
    w.writeListBegin(TType.I64, 2);
    w.writeI64(-1n);
    w.writeI64(2n ** 40n);
    w.writeString("b");
    w.writeListBegin(TType.I64, 0);
    w.writeFieldBegin(TType.SET, 2);
    w.writeSetBegin(TType.DOUBLE, 1);
    w.writeDouble(0.5);
    w.writeFieldBegin(TType.MAP, 3);
    w.writeMapBegin(TType.I32, TType.STRUCT, 0);
    w.writeFieldStop();
    w.writeStructEnd();
    const r = createReader(w.finish(), protocol);
    r.readStructBegin();
    expect(r.readFieldBegin()).toBe(TType.MAP);
    expect(r.readMapBegin()).toBe(2);
    expect([r.keyType, r.valueType]).toEqual([TType.STRING, TType.LIST]);
    expect(r.readString()).toBe("a");
    expect(r.readListBegin()).toBe(2);
    expect(r.elementType).toBe(TType.I64);
    expect([r.readI64(), r.readI64()]).toEqual([-1n, 2n ** 40n]);
    r.readContainerEnd();
    expect(r.readString()).toBe("b");
    expect(r.readListBegin()).toBe(0);
    r.readContainerEnd();
    r.readContainerEnd();
    expect(r.readFieldBegin()).toBe(TType.SET);
    expect(r.readSetBegin()).toBe(1);
    expect(r.elementType).toBe(TType.DOUBLE);
    expect(r.readDouble()).toBe(0.5);
    r.readContainerEnd();
    expect(r.readFieldBegin()).toBe(TType.MAP);
    expect(r.readMapBegin()).toBe(0); // compact does not send the types of an empty map
    r.readContainerEnd();
    expect(r.readFieldBegin()).toBe(TType.STOP);
    r.readStructEnd();
    expect(r.remaining).toBe(0);
  });

  it("message headers of all four types with a multiplexed name and any seqid", () => {
    const w = createWriter(protocol);
    const types = Object.values(MessageType);
    fc.assert(
      fc.property(fc.constantFrom(...types), fc.integer(), (type: MessageTypeId, seqid) => {
        w.writeMessageBegin("Service:method", type, seqid);
        w.writeStructBegin();
        w.writeFieldStop();
        w.writeStructEnd();
        const r = createReader(w.finish(), protocol);
        expect(r.readMessageBegin()).toEqual({ name: "Service:method", type, seqid });
        r.skip(TType.STRUCT);
        expect(r.remaining).toBe(0);
      }),
    );
  });

  it("reuses one writer: finish() and reset() clear all state; big buffers are released", () => {
    const w = createWriter(protocol) as BinaryWriter | CompactWriter;
    w.writeStructBegin();
    w.writeFieldBegin(TType.I32, 10);
    w.writeI32(1);
    w.reset(); // abandon a half-written struct
    w.writeStructBegin();
    w.writeFieldBegin(TType.I32, 1);
    w.writeI32(5);
    w.writeFieldStop();
    w.writeStructEnd();
    const first = toHex(w.finish());
    w.writeString("z".repeat(3_000_000));
    expect(w.finish().length).toBeGreaterThan(3_000_000);
    w.writeStructBegin();
    w.writeFieldBegin(TType.I32, 1);
    w.writeI32(5);
    w.writeFieldStop();
    w.writeStructEnd();
    expect(toHex(w.finish())).toBe(first);
  });

  it("rejects NaN, fractional, negative and > i32 container sizes instead of writing garbage", () => {
    const w = createWriter(protocol);
    for (const size of [Number.NaN, 1.5, -1, 2 ** 31, Infinity]) {
      expect(codeOf(() => w.writeListBegin(TType.I32, size))).toBe("CODEC_INVALID_VALUE");
      expect(codeOf(() => w.writeSetBegin(TType.I32, size))).toBe("CODEC_INVALID_VALUE");
      expect(codeOf(() => w.writeMapBegin(TType.I32, TType.I32, size))).toBe("CODEC_INVALID_VALUE");
    }
  });

  it("accepts a Node Buffer (a Uint8Array subclass) and still returns plain copies", () => {
    const w = createWriter(protocol);
    w.writeBinary(Uint8Array.of(9, 8, 7));
    const buf = Buffer.from(w.finish());
    const out = createReader(buf, protocol).readBinary();
    expect(Object.getPrototypeOf(out)).toBe(Uint8Array.prototype);
    buf.fill(0);
    expect(Array.from(out)).toEqual([9, 8, 7]);
  });
});

describe("compact specifics", () => {
  it("rejects types without a compact id and unbalanced struct ends", () => {
    const w = new CompactWriter();
    expect(codeOf(() => w.writeFieldBegin(TType.STOP, 1))).toBe("CODEC_BAD_TYPE");
    expect(codeOf(() => w.writeListBegin(TType.VOID, 1))).toBe("CODEC_BAD_TYPE");
    expect(codeOf(() => w.writeListBegin(99 as TTypeId, 1))).toBe("CODEC_BAD_TYPE");
    expect(codeOf(() => w.writeStructEnd())).toBe("CODEC_INVALID_VALUE");
  });

  it("refuses to drop a BOOL field whose writeBool never came", () => {
    const w = new CompactWriter();
    w.writeStructBegin();
    w.writeFieldBegin(TType.BOOL, 1);
    expect(codeOf(() => w.writeFieldBegin(TType.I32, 2))).toBe("CODEC_INVALID_VALUE");
    w.reset();
    w.writeStructBegin();
    w.writeFieldBegin(TType.BOOL, 1);
    expect(codeOf(() => w.writeFieldStop())).toBe("CODEC_INVALID_VALUE");
  });

  it("writes a negative seqid as a 5-byte unsigned varint and zigzags nothing else in the header", () => {
    const w = new CompactWriter();
    w.writeMessageBegin("m", MessageType.ONEWAY, -1);
    expect(toHex(w.finish())).toBe("8281ffffffff0f016d");
  });

  it("maps both bool type ids (1 and 2) of a field header to BOOL and carries the value", () => {
    const r = new CompactReader(Uint8Array.of(0x11, 0x12, 0x00));
    r.readStructBegin();
    expect([r.readFieldBegin(), r.fieldId, r.readBool()]).toEqual([TType.BOOL, 1, true]);
    expect([r.readFieldBegin(), r.fieldId, r.readBool()]).toEqual([TType.BOOL, 2, false]);
    expect(r.readFieldBegin()).toBe(TType.STOP);
  });

  it("reads a list header in long form even for small sizes, as Apache readers do", () => {
    const r = new CompactReader(Uint8Array.of(0xf5, 0x02, 0x02, 0x04));
    expect(r.readListBegin()).toBe(2);
    expect(r.elementType).toBe(TType.I32);
    expect([r.readI32(), r.readI32()]).toEqual([1, 2]);
  });
});

describe("factory", () => {
  it("rejects unknown protocol names with a ConfigError", () => {
    expect(() => createWriter("json" as ProtocolName)).toThrow(ConfigError);
    expect(() => createReader(new Uint8Array(0), "json" as ProtocolName)).toThrow(ConfigError);
  });

  it("reports the protocol name", () => {
    for (const p of protocols) {
      expect(createWriter(p).protocol).toBe(p);
      expect(createReader(new Uint8Array(0), p).protocol).toBe(p);
    }
  });
});
