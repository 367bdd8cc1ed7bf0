/** Decoding: skipping unknown or mistyped fields, and the errors of bad input, with their paths. */
import { describe, expect, it } from "vitest";
import { decodeStruct, encodeStruct } from "../../../src/codec/dynamic/index.ts";
import { createWriter } from "../../../src/codec/factory.ts";
import { TType, type ProtocolName, type ProtocolWriter } from "../../../src/codec/protocol.ts";
import { codecErrorOf, expectCodecError } from "./error-helpers.ts";
import { def, index, protocols } from "./schema-fixtures.ts";

/** Bytes of one struct whose fields `fill` writes (begin, stop and end are added). */
function craft(protocol: ProtocolName, fill: (w: ProtocolWriter) => void): Uint8Array {
  const w = createWriter(protocol);
  w.writeStructBegin();
  fill(w);
  w.writeFieldStop();
  w.writeStructEnd();
  return w.finish();
}

function pointStruct(w: ProtocolWriter, x: number, y?: number): void {
  w.writeStructBegin();
  w.writeFieldBegin(TType.I32, 1);
  w.writeI32(x);
  if (y !== undefined) {
    w.writeFieldBegin(TType.I32, 2);
    w.writeI32(y);
  }
  w.writeFieldStop();
  w.writeStructEnd();
}

describe.each(protocols)("decoding (%s)", (protocol) => {
  const decode = (name: string, bytes: Uint8Array, maxDepth?: number) => () =>
    decodeStruct(index, def(name), bytes, protocol, maxDepth === undefined ? undefined : { maxDepth });

  it("skips unknown field ids of every wire type", () => {
    const bytes = craft(protocol, (w) => {
      w.writeFieldBegin(TType.STRUCT, 99);
      pointStruct(w, 5, 6);
      w.writeFieldBegin(TType.I32, 1);
      w.writeI32(1);
      w.writeFieldBegin(TType.LIST, 100);
      w.writeListBegin(TType.STRING, 2);
      w.writeString("a");
      w.writeString("b");
      w.writeFieldBegin(TType.BOOL, 101);
      w.writeBool(true);
      w.writeFieldBegin(TType.MAP, 102);
      w.writeMapBegin(TType.I64, TType.DOUBLE, 1);
      w.writeI64(1n);
      w.writeDouble(1);
      w.writeFieldBegin(TType.I32, 2);
      w.writeI32(2);
    });
    expect(decode("Point", bytes)()).toEqual({ x: 1, y: 2 });
  });

  it("skips a known field id with an unexpected wire type (Apache behaviour)", () => {
    const bytes = craft(protocol, (w) => {
      w.writeFieldBegin(TType.STRING, 4); // `medium` is an i32
      w.writeString("not an i32");
      w.writeFieldBegin(TType.I64, 9); // `color` is an enum (i32)
      w.writeI64(1n);
      w.writeFieldBegin(TType.STRING, 7);
      w.writeString("kept");
    });
    expect(decode("Everything", bytes)()).toEqual({ s: "kept" });
  });

  it("the last of a repeated field id wins", () => {
    const bytes = craft(protocol, (w) => {
      w.writeFieldBegin(TType.STRING, 1);
      w.writeString("first");
      w.writeFieldBegin(TType.STRING, 1);
      w.writeString("second");
    });
    expect(decode("Choice", bytes)()).toEqual({ text: "second" });
  });

  it("missing required fields", () => {
    expectCodecError(
      decode(
        "Job",
        craft(protocol, () => {}),
      ),
      "CODEC_MISSING_REQUIRED",
      "owner: missing required field",
    );
    const nested = craft(protocol, (w) => {
      w.writeFieldBegin(TType.MAP, 2);
      w.writeMapBegin(TType.I32, TType.STRUCT, 1);
      w.writeI32(4);
      w.writeStructBegin();
      w.writeFieldStop();
      w.writeStructEnd();
    });
    expectCodecError(decode("Ledger", nested), "CODEC_MISSING_REQUIRED", "jobs[4].owner: missing required field");
    // A required field with a default must still be on the wire (as generated code checks it).
    expectCodecError(
      decode(
        "Defaults",
        craft(protocol, () => {}),
      ),
      "CODEC_MISSING_REQUIRED",
      "name: missing required field",
    );
  });

  it("unions with other than one field on the wire", () => {
    const two = craft(protocol, (w) => {
      w.writeFieldBegin(TType.STRING, 1);
      w.writeString("a");
      w.writeFieldBegin(TType.I32, 2);
      w.writeI32(1);
    });
    expectCodecError(decode("Choice", two), "CODEC_UNION", "a union must have exactly one field set, got 2");
    expectCodecError(
      decode(
        "Choice",
        craft(protocol, () => {}),
      ),
      "CODEC_UNION",
      "a union must have exactly one field set, got 0",
    );
    const nested = craft(protocol, (w) => {
      w.writeFieldBegin(TType.STRUCT, 18);
      w.writeStructBegin();
      w.writeFieldStop();
      w.writeStructEnd();
    });
    expectCodecError(
      decode("Everything", nested),
      "CODEC_UNION",
      "choice: a union must have exactly one field set, got 0",
    );
  });

  it("container element types that do not match the schema", () => {
    const list = craft(protocol, (w) => {
      w.writeFieldBegin(TType.LIST, 10);
      w.writeListBegin(TType.STRING, 1);
      w.writeString("x");
    });
    expectCodecError(decode("Everything", list), "CODEC_BAD_TYPE", "ints: expected elements of wire type 8, got 11");
    const map = craft(protocol, (w) => {
      w.writeFieldBegin(TType.MAP, 12);
      w.writeMapBegin(TType.STRING, TType.I32, 1);
      w.writeString("k");
      w.writeI32(1);
    });
    expectCodecError(
      decode("Everything", map),
      "CODEC_BAD_TYPE",
      "points: expected map entries of wire types 11/12, got 11/8",
    );
    // Empty containers may carry any element type (some writers put 0 there).
    const empty = craft(protocol, (w) => {
      w.writeFieldBegin(TType.LIST, 10);
      w.writeListBegin(TType.STRING, 0);
    });
    expect(decode("Everything", empty)()).toEqual({ ints: [] });
  });

  it("errors deep inside containers carry the full path", () => {
    const bytes = craft(protocol, (w) => {
      w.writeFieldBegin(TType.MAP, 12);
      w.writeMapBegin(TType.STRING, TType.STRUCT, 1);
      w.writeString("p");
      pointStruct(w, 1);
    });
    expectCodecError(decode("Everything", bytes), "CODEC_MISSING_REQUIRED", 'points["p"].y: missing required field');
  });

  it("truncated input", () => {
    const full = encodeStruct(index, def("Everything"), { medium: 1, s: "a long enough string" }, protocol);
    const error = codecErrorOf(decode("Everything", full.subarray(0, full.length - 5)));
    expect([error.code, error.path]).toEqual(["CODEC_TRUNCATED", "s"]);
  });

  it("nesting beyond maxDepth", () => {
    const tree = { name: "0", children: [{ name: "1", children: [{ name: "2", children: [{ name: "3" }] }] }] };
    const bytes = encodeStruct(index, def("Tree"), tree, protocol);
    expect(decode("Tree", bytes, 7)()).toEqual(tree);
    const error = expectCodecError(
      decode("Tree", bytes, 6),
      "CODEC_DEPTH_EXCEEDED",
      "children[0].children[0].children[0]: nesting deeper than 6",
    );
    expect(error.path).toBe("children[0].children[0].children[0]");
  });

  it("trailing bytes after the struct are ignored", () => {
    const bytes = encodeStruct(index, def("Point"), { x: 1, y: 2 }, protocol);
    expect(decode("Point", Uint8Array.of(...bytes, 1, 2, 3))()).toEqual({ x: 1, y: 2 });
  });

  it("garbage never escapes as anything but a CodecError", () => {
    for (let seed = 0; seed < 200; seed++) {
      const bytes = Uint8Array.from({ length: 1 + (seed % 40) }, (_, i) => (seed * 31 + i * 17) & 255);
      try {
        decode("Everything", bytes)();
      } catch (error) {
        expect(error).toHaveProperty("code");
        expect(String((error as { code: string }).code)).toMatch(/^CODEC_/);
      }
    }
  });
});
