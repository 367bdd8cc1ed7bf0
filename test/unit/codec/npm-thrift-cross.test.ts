/**
 * Cross-check against the npm `thrift` library (Apache Thrift's Node.js implementation): it writes every golden
 * scenario and we must produce the same bytes and read its bytes back; it must also walk our bytes.
 */
import { TBinaryProtocol, TBufferedTransport, TCompactProtocol, Thrift } from "thrift";
import { describe, expect, it } from "vitest";
import { createReader, createWriter } from "../../../src/codec/factory.ts";
import { TType } from "../../../src/codec/protocol.ts";
import type { ProtocolName } from "../../../src/codec/protocol.ts";
import { npmOps, npmWrite } from "./helpers/npm-thrift.ts";
import { fromHex, loadGolden, readOps, toHex, writeOps } from "./helpers/scenarios.ts";
import type { Op } from "./helpers/scenarios.ts";

const golden = loadGolden();
const protocols = ["binary", "compact"] as const;

/** npm's double writer (jspack-derived) loses the sign of -0; everything else it writes exactly like Apache. */
function withoutNegativeZero(ops: readonly Op[]): Op[] {
  return ops.map((op) => (op[0] === "double" && op[1] === "-0" ? (["double", 0] as const) : op));
}

/** Makes npm walk `bytes` (message header if any, then one struct) and returns how many bytes it consumed. */
function npmWalk(protocol: ProtocolName, bytes: Uint8Array, isMessage: boolean): number {
  let consumed = -1;
  const receive = TBufferedTransport.receiver((transport) => {
    const p = protocol === "binary" ? new TBinaryProtocol(transport) : new TCompactProtocol(transport);
    if (isMessage) p.readMessageBegin();
    p.skip(Thrift.Type.STRUCT);
    consumed = (transport as unknown as { readCursor: number }).readCursor;
  }, 0);
  receive(Buffer.from(bytes));
  return consumed;
}

describe("npm thrift cross-check", () => {
  for (const protocol of protocols) {
    describe(protocol, () => {
      const writer = createWriter(protocol);
      const scenarios = golden.scenarios.map((s) => [s.name, withoutNegativeZero(s.ops)] as const);

      it.each(scenarios)("npm writes %s exactly as we do, and we read it", (_name, ops) => {
        const theirs = npmWrite(protocol, (p) => npmOps(p, ops));
        writeOps(writer, ops);
        expect(toHex(theirs)).toBe(toHex(writer.finish()));
        readOps(createReader(theirs, protocol), ops);
      });

      it.each(golden.scenarios.map((s) => [s.name, s] as const))("npm walks our bytes of %s", (_name, scenario) => {
        // Two top-level structs in that scenario; npm would stop after the first.
        if (scenario.name.startsWith("field id 15 and 16")) return;
        const bytes = fromHex(scenario[protocol]);
        expect(npmWalk(protocol, bytes, scenario.ops[0]![0] === "messageBegin")).toBe(bytes.length);
      });

      it("documents npm's -0 discrepancy: it drops the sign bit, Apache Python and we keep it", () => {
        const ops: Op[] = [["structBegin"], ["fieldBegin", 4, 1], ["double", "-0"], ["fieldStop"], ["structEnd"]];
        writeOps(writer, ops);
        const ours = writer.finish();
        const theirs = npmWrite(protocol, (p) => npmOps(p, ops));
        // Binary: type, i16 id, then a big-endian double; compact: one header byte, then a little-endian double.
        const signByte = protocol === "binary" ? 3 : 8;
        expect(ours[signByte]).toBe(0x80);
        expect(theirs[signByte]).toBe(0x00);
        // Reading is unaffected: npm's +0 reads as +0.
        const r = createReader(theirs, protocol);
        r.readStructBegin();
        r.readFieldBegin();
        expect(Object.is(r.readDouble(), 0)).toBe(true);
      });

      it("skips a UUID field npm wrote (TType 16, 16 raw bytes)", () => {
        const bytes = npmWrite(protocol, (p) => {
          p.writeStructBegin("S");
          p.writeFieldBegin("u", 16, 1);
          (p as unknown as { writeUuid(u: string): void }).writeUuid("00112233-4455-6677-8899-aabbccddeeff");
          p.writeFieldEnd();
          p.writeFieldBegin("x", Thrift.Type.I32, 2);
          p.writeI32(7);
          p.writeFieldEnd();
          p.writeFieldStop();
          p.writeStructEnd();
        });
        const r = createReader(bytes, protocol);
        r.readStructBegin();
        expect(r.readFieldBegin()).toBe(TType.UUID);
        r.skip(TType.UUID);
        expect(r.readFieldBegin()).toBe(TType.I32);
        expect(r.readI32()).toBe(7);
        expect(r.readFieldBegin()).toBe(TType.STOP);
        const whole = createReader(bytes, protocol);
        whole.skip(TType.STRUCT);
        expect(whole.remaining).toBe(0);
      });
    });
  }
});
