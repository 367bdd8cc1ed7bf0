/**
 * TBinaryProtocol reader with hostile-input hardening: every read is bounds-checked, sizes are checked against
 * the limits and the bytes left before anything is allocated, and nesting is counted.
 */
import { BINARY_VERSION_1 } from "./binary-writer.ts";
import { ByteReader, codecError, throwBadType, throwTruncated } from "./byte-reader.ts";
import { readF64, readI64 } from "./scratch.ts";
import type { MessageHeader, ProtocolReader } from "./protocol.ts";

/** Smallest encoding of one value of each TType (0: not a valid value type), for container pre-checks. */
const MIN_SIZE = Uint8Array.of(0, 0, 1, 1, 8, 0, 2, 0, 4, 0, 8, 4, 1, 6, 5, 5, 16);
/** Fixed widths of the scalar TTypes skip() can jump over without looking (0: not fixed-width). */
const FIXED_WIDTH = Uint8Array.of(0, 0, 1, 1, 8, 0, 2, 0, 4, 0, 8, 0, 0, 0, 0, 0, 16);
const VERSION_MASK = 0xffff0000 | 0;
const T_STRING = 11;

/** Reads TBinaryProtocol bytes. `readBinary` returns a copy, never a view of the input. */
export class BinaryReader extends ByteReader implements ProtocolReader {
  /** Always `"binary"`. */
  readonly protocol = "binary" as const;

  /** Reads a strict (versioned) header, or the old unversioned one that non-strict Apache writers emit. */
  readMessageBegin(): MessageHeader {
    const word = this.readI32();
    if (word < 0) {
      if ((word & VERSION_MASK) !== BINARY_VERSION_1) {
        throw codecError("CODEC_BAD_VERSION", `bad binary protocol version 0x${(word >>> 0).toString(16)}`);
      }
      const name = this.readString();
      return this.messageHeader(name, word & 0xff, this.readI32());
    }
    // Unversioned: the word is the name length, then name, type byte, seqid (Apache's strict_read=false).
    const name = this.readUtf8(word);
    const type = this.readByte();
    return this.messageHeader(name, type, this.readI32());
  }

  readStructBegin(): void {
    this.enter();
  }

  readStructEnd(): void {
    this.leave();
  }

  readFieldBegin(): number {
    const buf = this.buf;
    const pos = this.pos;
    if (pos >= this.end) throwTruncated(1, 0);
    const type = buf[pos]!;
    if (type === 0) {
      this.pos = pos + 1;
      this.fieldId = 0;
      return 0;
    }
    if (pos + 3 > this.end) throwTruncated(2, this.end - pos - 1);
    this.fieldId = (((buf[pos + 1]! << 8) | buf[pos + 2]!) << 16) >> 16;
    this.pos = pos + 3;
    return type;
  }

  readMapBegin(): number {
    const buf = this.buf;
    const pos = this.pos;
    if (pos + 6 > this.end) throwTruncated(6, this.end - pos);
    const keyType = buf[pos]!;
    const valueType = buf[pos + 1]!;
    const size = readI32At(buf, pos + 2);
    this.pos = pos + 6;
    this.keyType = keyType;
    this.valueType = valueType;
    this.checkCount(size, size > 0 ? minSize(keyType) + minSize(valueType) : 0);
    this.enter();
    return size;
  }

  readListBegin(): number {
    const buf = this.buf;
    const pos = this.pos;
    if (pos + 5 > this.end) throwTruncated(5, this.end - pos);
    const elementType = buf[pos]!;
    const size = readI32At(buf, pos + 1);
    this.pos = pos + 5;
    this.elementType = elementType;
    this.checkCount(size, size > 0 ? minSize(elementType) : 0);
    this.enter();
    return size;
  }

  readSetBegin(): number {
    return this.readListBegin();
  }

  readBool(): boolean {
    return this.readByte() !== 0;
  }

  readI16(): number {
    const pos = this.pos;
    if (pos + 2 > this.end) throwTruncated(2, this.end - pos);
    this.pos = pos + 2;
    return (((this.buf[pos]! << 8) | this.buf[pos + 1]!) << 16) >> 16;
  }

  readI32(): number {
    const pos = this.pos;
    if (pos + 4 > this.end) throwTruncated(4, this.end - pos);
    this.pos = pos + 4;
    return readI32At(this.buf, pos);
  }

  readI64(): bigint {
    const pos = this.pos;
    if (pos + 8 > this.end) throwTruncated(8, this.end - pos);
    this.pos = pos + 8;
    return readI64(this.buf, pos, false);
  }

  readDouble(): number {
    const pos = this.pos;
    if (pos + 8 > this.end) throwTruncated(8, this.end - pos);
    this.pos = pos + 8;
    return readF64(this.buf, pos, false);
  }

  readString(): string {
    return this.readUtf8(this.readI32());
  }

  /** Returns a copy of the bytes (the input buffer may be reused by a transport). */
  readBinary(): Uint8Array {
    return this.readCopy(this.readI32());
  }

  protected skipScalar(type: number): void {
    const width = FIXED_WIDTH[type] ?? 0;
    if (width !== 0) {
      this.skipBytes(width);
    } else if (type === T_STRING) {
      this.takeSized(this.readI32());
    } else {
      throwBadType(type);
    }
  }
}

function readI32At(buf: Uint8Array, pos: number): number {
  return (buf[pos]! << 24) | (buf[pos + 1]! << 16) | (buf[pos + 2]! << 8) | buf[pos + 3]!;
}

function minSize(type: number): number {
  const size = MIN_SIZE[type] ?? 0;
  if (size === 0) throwBadType(type);
  return size;
}
