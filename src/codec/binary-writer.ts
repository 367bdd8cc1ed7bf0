/**
 * TBinaryProtocol writer, byte-identical to Apache Thrift's strict writer: big-endian fixed-width integers,
 * i32 length prefixes, and the versioned message header `0x80010000 | type`.
 */
import { ByteWriter } from "./byte-buffer.ts";
import { encodeUtf8Into } from "./utf8.ts";
import type { MessageTypeId, ProtocolWriter, TTypeId } from "./protocol.ts";

/** The strict binary message header's version word (VERSION_1 in Apache Thrift). */
export const BINARY_VERSION_1 = 0x80010000 | 0;

/** Writes TBinaryProtocol bytes; reuse one instance per encode loop and call `finish()` after each value. */
export class BinaryWriter extends ByteWriter implements ProtocolWriter {
  /** Always `"binary"`. */
  readonly protocol = "binary" as const;

  protected resetState(): void {
    // The binary protocol is stateless between calls.
  }

  writeMessageBegin(name: string, type: MessageTypeId, seqid: number): void {
    this.writeI32(BINARY_VERSION_1 | type);
    this.writeString(name);
    this.writeI32(seqid);
  }

  writeStructBegin(): void {
    // Nothing on the wire: binary structs are just fields followed by STOP.
  }

  writeStructEnd(): void {
    // Nothing on the wire; the caller has written STOP with writeFieldStop().
  }

  writeFieldBegin(type: TTypeId, id: number): void {
    this.ensure(3);
    const buf = this.buf;
    const pos = this.pos;
    buf[pos] = type;
    buf[pos + 1] = id >> 8;
    buf[pos + 2] = id;
    this.pos = pos + 3;
  }

  writeFieldStop(): void {
    this.writeRaw(0);
  }

  writeMapBegin(keyType: TTypeId, valueType: TTypeId, size: number): void {
    this.checkSize(size);
    this.ensure(6);
    const buf = this.buf;
    const pos = this.pos;
    buf[pos] = keyType;
    buf[pos + 1] = valueType;
    writeI32At(buf, pos + 2, size);
    this.pos = pos + 6;
  }

  writeListBegin(elementType: TTypeId, size: number): void {
    this.checkSize(size);
    this.ensure(5);
    const buf = this.buf;
    const pos = this.pos;
    buf[pos] = elementType;
    writeI32At(buf, pos + 1, size);
    this.pos = pos + 5;
  }

  writeSetBegin(elementType: TTypeId, size: number): void {
    this.writeListBegin(elementType, size);
  }

  writeBool(value: boolean): void {
    this.writeRaw(value ? 1 : 0);
  }

  writeByte(value: number): void {
    this.writeRaw(value);
  }

  writeI16(value: number): void {
    this.ensure(2);
    const buf = this.buf;
    const pos = this.pos;
    buf[pos] = value >> 8;
    buf[pos + 1] = value;
    this.pos = pos + 2;
  }

  writeI32(value: number): void {
    this.ensure(4);
    writeI32At(this.buf, this.pos, value);
    this.pos += 4;
  }

  writeI64(value: bigint): void {
    this.ensure(8);
    // DataView's bigint store is intrinsified by V8: far cheaper than any split via Number()/BigInt arithmetic.
    this.view.setBigInt64(this.pos, value);
    this.pos += 8;
  }

  writeDouble(value: number): void {
    this.ensure(8);
    this.view.setFloat64(this.pos, value);
    this.pos += 8;
  }

  writeString(value: string): void {
    if (value.length <= 4096) this.ensure(4 + value.length * 3);
    else this.reserveUtf8(value, 4);
    const pos = this.pos;
    const end = encodeUtf8Into(this.buf, pos + 4, value);
    writeI32At(this.buf, pos, end - pos - 4);
    this.pos = end;
  }

  writeBinary(value: Uint8Array): void {
    this.ensure(4);
    writeI32At(this.buf, this.pos, value.length);
    this.pos += 4;
    this.writeRawBytes(value);
  }
}

/** Stores `value` as a big-endian 32-bit integer; typed-array stores wrap modulo 256, so no masking is needed. */
function writeI32At(buf: Uint8Array, pos: number, value: number): void {
  buf[pos] = value >>> 24;
  buf[pos + 1] = value >>> 16;
  buf[pos + 2] = value >>> 8;
  buf[pos + 3] = value;
}
