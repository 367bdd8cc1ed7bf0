/** Drives the npm `thrift` library's protocols with the scenario ops of helpers/scenarios.ts. */
import { Int64, TBinaryProtocol, TBufferedTransport, TCompactProtocol } from "thrift";
import type { TProtocol, Thrift } from "thrift";
import type { ProtocolName } from "../../../../src/codec/protocol.ts";
import { doubleOf } from "./scenarios.ts";
import type { Op } from "./scenarios.ts";

/** Runs `fill` against an npm protocol over a buffered transport and returns what it flushed. */
export function npmWrite(protocol: ProtocolName, fill: (p: TProtocol) => void): Uint8Array {
  let out: Buffer | undefined;
  const transport = new TBufferedTransport(undefined, (msg) => {
    out = msg;
  });
  fill(protocol === "binary" ? new TBinaryProtocol(transport) : new TCompactProtocol(transport));
  transport.flush();
  return new Uint8Array(out ?? []);
}

function int64(value: bigint): Int64 {
  const b = Buffer.alloc(8);
  b.writeBigInt64BE(value);
  return new Int64(b);
}

const t = (op: Op, i: number): Thrift.Type => op[i] as Thrift.Type;

/** The npm equivalent of helpers/scenarios.ts#writeOps (npm needs field/struct names and the *End calls). */
export function npmOps(p: TProtocol, ops: readonly Op[]): void {
  for (const op of ops) {
    const [kind] = op;
    if (kind === "messageBegin") p.writeMessageBegin(op[1] as string, op[2] as Thrift.MessageType, op[3] as number);
    else if (kind === "messageEnd") p.writeMessageEnd();
    else if (kind === "structBegin") p.writeStructBegin("S");
    else if (kind === "structEnd") p.writeStructEnd();
    // npm compact only folds a bool into the field header when the field has a (non-null) name.
    else if (kind === "fieldBegin") p.writeFieldBegin("f", t(op, 1), op[2] as number);
    else if (kind === "fieldEnd") p.writeFieldEnd();
    else if (kind === "fieldStop") p.writeFieldStop();
    else if (kind === "mapBegin") p.writeMapBegin(t(op, 1), t(op, 2), op[3] as number);
    else if (kind === "mapEnd") p.writeMapEnd();
    else if (kind === "listBegin") p.writeListBegin(t(op, 1), op[2] as number);
    else if (kind === "listEnd") p.writeListEnd();
    else if (kind === "setBegin") p.writeSetBegin(t(op, 1), op[2] as number);
    else if (kind === "setEnd") p.writeSetEnd();
    else if (kind === "bool") p.writeBool(op[1] as boolean);
    else if (kind === "byte") p.writeByte(op[1] as number);
    else if (kind === "i16") p.writeI16(op[1] as number);
    else if (kind === "i32") p.writeI32(op[1] as number);
    else if (kind === "i64") p.writeI64(int64(BigInt(op[1] as string)));
    else if (kind === "double") p.writeDouble(doubleOf(op[1]));
    else if (kind === "string") p.writeString(op[1] as string);
    else if (kind === "binary") p.writeBinary(Buffer.from(op[1] as string, "hex"));
    else throw new Error(`unknown op ${kind}`);
  }
}
