/**
 * TCompactProtocol writer, byte-identical to Apache Thrift: zigzag varints, field-id deltas, bool values folded
 * into field headers, little-endian doubles, and the `0x82` message header.
 */
import { CodecError } from "../errors.ts";
import { ByteWriter } from "./byte-buffer.ts";
import { highHalf, lowHalf, splitI64 } from "./scratch.ts";
import { encodeUtf8Into } from "./utf8.ts";
import { TType } from "./protocol.ts";
import type { MessageTypeId, ProtocolWriter, TTypeId } from "./protocol.ts";

/** Compact protocol id, the first byte of every compact message. */
export const COMPACT_PROTOCOL_ID = 0x82;
/** Compact protocol version, in the low 5 bits of the second message byte. */
export const COMPACT_VERSION = 1;

/** Compact type ids, indexed by TType; 0 marks a type that cannot appear on the wire. */
const TO_COMPACT = Uint8Array.of(0, 0, 1, 3, 7, 0, 4, 0, 5, 0, 6, 8, 12, 11, 10, 9, 13);
const T_BOOL = TType.BOOL;
const CT_BOOLEAN_TRUE = 1;
const CT_BOOLEAN_FALSE = 2;

/** Writes TCompactProtocol bytes; reuse one instance per encode loop and call `finish()` after each value. */
export class CompactWriter extends ByteWriter implements ProtocolWriter {
  /** Always `"compact"`. */
  readonly protocol = "compact" as const;
  private lastFieldId = 0;
  /** Saved `lastFieldId` of each enclosing struct, indexed by `structDepth`. */
  private readonly fieldIdStack: number[] = [0, 0, 0, 0, 0, 0, 0, 0];
  private structDepth = 0;
  /** Set by writeFieldBegin(BOOL): the header waits for writeBool, which folds the value into it. */
  private boolFieldPending = false;
  private boolFieldId = 0;

  protected resetState(): void {
    this.lastFieldId = 0;
    this.structDepth = 0;
    this.boolFieldPending = false;
  }

  writeMessageBegin(name: string, type: MessageTypeId, seqid: number): void {
    this.ensure(7);
    this.buf[this.pos++] = COMPACT_PROTOCOL_ID;
    this.buf[this.pos++] = COMPACT_VERSION | (type << 5);
    // The seqid is an i32 sent as an unsigned varint (not zigzag), so negative ids take 5 bytes, as in Apache.
    this.writeVarint32(seqid);
    this.writeString(name);
  }

  writeStructBegin(): void {
    const depth = this.structDepth++;
    this.fieldIdStack[depth] = this.lastFieldId;
    this.lastFieldId = 0;
  }

  writeStructEnd(): void {
    const depth = --this.structDepth;
    if (depth < 0) {
      this.structDepth = 0;
      throw new CodecError("CODEC_INVALID_VALUE", "writeStructEnd without writeStructBegin");
    }
    this.lastFieldId = this.fieldIdStack[depth]!;
  }

  writeFieldBegin(type: TTypeId, id: number): void {
    if (this.boolFieldPending) throwBoolPending();
    if (type === T_BOOL) {
      this.boolFieldPending = true;
      this.boolFieldId = id;
      return;
    }
    this.writeFieldHeader(compactType(type), id);
  }

  private writeFieldHeader(compact: number, id: number): void {
    const delta = id - this.lastFieldId;
    this.lastFieldId = id;
    if (delta > 0 && delta <= 15) {
      this.writeRaw((delta << 4) | compact);
    } else {
      this.ensure(4);
      this.buf[this.pos++] = compact;
      this.writeVarint32((id << 1) ^ (id >> 31));
    }
  }

  writeFieldStop(): void {
    if (this.boolFieldPending) throwBoolPending();
    this.writeRaw(0);
  }

  writeMapBegin(keyType: TTypeId, valueType: TTypeId, size: number): void {
    this.checkSize(size);
    if (size === 0) {
      this.writeRaw(0);
      return;
    }
    this.ensure(6);
    this.writeVarint32(size);
    this.buf[this.pos++] = (compactType(keyType) << 4) | compactType(valueType);
  }

  writeListBegin(elementType: TTypeId, size: number): void {
    this.checkSize(size);
    const compact = compactType(elementType);
    this.ensure(6);
    if (size <= 14) {
      this.buf[this.pos++] = (size << 4) | compact;
    } else {
      this.buf[this.pos++] = 0xf0 | compact;
      this.writeVarint32(size);
    }
  }

  writeSetBegin(elementType: TTypeId, size: number): void {
    this.writeListBegin(elementType, size);
  }

  writeBool(value: boolean): void {
    const compact = value ? CT_BOOLEAN_TRUE : CT_BOOLEAN_FALSE;
    if (this.boolFieldPending) {
      this.boolFieldPending = false;
      this.writeFieldHeader(compact, this.boolFieldId);
    } else {
      // Container elements: Apache writes the same 1/2 codes as a whole byte.
      this.writeRaw(compact);
    }
  }

  writeByte(value: number): void {
    this.writeRaw(value);
  }

  writeI16(value: number): void {
    this.writeI32(value);
  }

  writeI32(value: number): void {
    this.ensure(5);
    this.writeVarint32((value << 1) ^ (value >> 31));
  }

  writeI64(value: bigint): void {
    this.ensure(10);
    // Split through a typed-array scratch (no bigint arithmetic, no allocation), then zigzag the two halves.
    splitI64(value);
    const lo = lowHalf();
    const hi = highHalf();
    const sign = hi >> 31;
    const zlo = ((lo << 1) ^ sign) >>> 0;
    const zhi = (((hi << 1) | (lo >>> 31)) ^ sign) >>> 0;
    if (zhi === 0) this.writeVarint32(zlo);
    else this.writeVarint64(zlo, zhi);
  }

  writeDouble(value: number): void {
    this.ensure(8);
    this.view.setFloat64(this.pos, value, true);
    this.pos += 8;
  }

  writeString(value: string): void {
    const len = value.length;
    if (len <= 42) {
      // 42 units are at most 126 bytes, so the length prefix is one byte and can be filled in afterwards.
      this.ensure(1 + len * 3);
      const pos = this.pos;
      const end = encodeUtf8Into(this.buf, pos + 1, value);
      this.buf[pos] = end - pos - 1;
      this.pos = end;
      return;
    }
    const exact = this.reserveUtf8(value, 5);
    // The byte length is at least `len`; encode after a prefix sized for that and widen it if needed.
    const guess = varintSize(exact >= 0 ? exact : len);
    const start = this.pos + guess;
    const end = encodeUtf8Into(this.buf, start, value);
    const n = end - start;
    const actual = varintSize(n);
    if (actual !== guess) this.buf.copyWithin(this.pos + actual, start, end);
    this.writeVarint32(n);
    this.pos += n;
  }

  writeBinary(value: Uint8Array): void {
    this.ensure(5);
    this.writeVarint32(value.length);
    this.writeRawBytes(value);
  }

  /** Writes the low 32 bits of `n` as an unsigned varint; the caller has reserved 5 bytes. */
  private writeVarint32(n: number): void {
    const buf = this.buf;
    let pos = this.pos;
    while ((n & ~0x7f) !== 0) {
      buf[pos++] = (n & 0x7f) | 0x80;
      n >>>= 7;
    }
    buf[pos++] = n;
    this.pos = pos;
  }

  /** Writes the unsigned 64-bit value `hi:lo` as a varint; the caller has reserved 10 bytes. */
  private writeVarint64(lo: number, hi: number): void {
    const buf = this.buf;
    let pos = this.pos;
    while (hi !== 0 || lo > 0x7f) {
      buf[pos++] = (lo & 0x7f) | 0x80;
      lo = ((lo >>> 7) | (hi << 25)) >>> 0;
      hi >>>= 7;
    }
    buf[pos++] = lo;
    this.pos = pos;
  }
}

/** Maps a TType to its compact id, rejecting types that have none (STOP, VOID, unknown ids). */
function compactType(type: number): number {
  const compact = TO_COMPACT[type] ?? 0;
  if (compact === 0) throw new CodecError("CODEC_BAD_TYPE", `type ${type} cannot be written`);
  return compact;
}

/** A BOOL field header is only written by writeBool; anything else first would silently drop the field. */
function throwBoolPending(): never {
  throw new CodecError("CODEC_INVALID_VALUE", "writeFieldBegin(BOOL, ...) must be followed by writeBool");
}

/** Bytes an unsigned 32-bit varint of `n` occupies. */
function varintSize(n: number): number {
  return n < 0x80 ? 1 : n < 0x4000 ? 2 : n < 0x200000 ? 3 : n < 0x10000000 ? 4 : 5;
}
