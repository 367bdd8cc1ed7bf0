/**
 * TCompactProtocol reader with hostile-input hardening: bounds-checked varints of bounded length, sizes checked
 * against the limits and the bytes left before anything is allocated, and nesting counted.
 */
import { ByteReader, codecError, throwBadType, throwTruncated } from "./byte-reader.ts";
import { COMPACT_PROTOCOL_ID, COMPACT_VERSION } from "./compact-writer.ts";
import { joinI64, readF64 } from "./scratch.ts";
import type { CodecLimits } from "./limits.ts";
import type { MessageHeader, ProtocolReader } from "./protocol.ts";

/** TType of each compact type id; -1 marks the two unassigned ids (14, 15). Both bool ids map to BOOL. */
const TO_TTYPE = Int8Array.of(0, 2, 2, 3, 6, 8, 10, 4, 11, 15, 14, 13, 12, 16, -1, -1);
/** Smallest compact encoding of a container element of each TType (0: not a valid element type). */
const MIN_SIZE = Uint8Array.of(0, 0, 1, 1, 8, 0, 1, 0, 1, 0, 1, 1, 1, 1, 1, 1, 16);
const T_BOOL = 2;
const T_BYTE = 3;
const T_DOUBLE = 4;
const T_STRING = 11;
const T_UUID = 16;

/** Reads TCompactProtocol bytes. `readBinary` returns a copy, never a view of the input. */
export class CompactReader extends ByteReader implements ProtocolReader {
  /** Always `"compact"`. */
  readonly protocol = "compact" as const;
  private lastFieldId = 0;
  /** Saved `lastFieldId` of each enclosing struct, indexed by depth. */
  private readonly fieldIdStack: number[] = [0, 0, 0, 0, 0, 0, 0, 0];
  /** Set when the last field header was a bool: its value came with the header. */
  private hasBoolValue = false;
  private boolValue = false;

  /** {@link ByteReader.reset}, plus the compact protocol's field-id and bool state. */
  override reset(bytes: Uint8Array, limits?: Partial<CodecLimits>): void {
    super.reset(bytes, limits);
    this.lastFieldId = 0;
    this.hasBoolValue = false;
    this.boolValue = false;
  }

  readMessageBegin(): MessageHeader {
    const protocolId = this.readByte() & 0xff;
    if (protocolId !== COMPACT_PROTOCOL_ID) {
      throw codecError("CODEC_BAD_VERSION", `bad compact protocol id 0x${protocolId.toString(16)}`);
    }
    const versionAndType = this.readByte() & 0xff;
    const version = versionAndType & 0x1f;
    if (version !== COMPACT_VERSION) throw codecError("CODEC_BAD_VERSION", `bad compact protocol version ${version}`);
    // The seqid is an i32 written as an unsigned varint (no zigzag).
    const seqid = this.readVarint32() | 0;
    const name = this.readString();
    return this.messageHeader(name, versionAndType >> 5, seqid);
  }

  readStructBegin(): void {
    const depth = this.depth;
    this.enter();
    this.fieldIdStack[depth] = this.lastFieldId;
    this.lastFieldId = 0;
  }

  readStructEnd(): void {
    this.leave();
    // `?? 0` only matters for callers that pair a struct end with a container begin.
    this.lastFieldId = this.fieldIdStack[this.depth] ?? 0;
  }

  readFieldBegin(): number {
    const pos = this.pos;
    if (pos >= this.end) throwTruncated(1, 0);
    const header = this.buf[pos]!;
    this.pos = pos + 1;
    const compact = header & 0x0f;
    if (compact === 0) {
      this.fieldId = 0;
      this.hasBoolValue = false;
      return 0;
    }
    const type = TO_TTYPE[compact]!;
    if (type < 0) throwBadType(compact);
    const delta = header >> 4;
    // Ids wrap to i16 as in Java/C++ (`(short)(last + delta)`), so hostile deltas cannot grow them unbounded.
    const id = delta === 0 ? (zigzag32(this.readVarint32()) << 16) >> 16 : ((this.lastFieldId + delta) << 16) >> 16;
    this.fieldId = id;
    this.lastFieldId = id;
    this.hasBoolValue = type === T_BOOL;
    this.boolValue = compact === 1;
    return type;
  }

  readMapBegin(): number {
    const size = this.readVarint32() | 0;
    if (size <= 0) {
      // Checked before the key/value byte is read, so a negative size is reported as such.
      this.keyType = 0;
      this.valueType = 0;
      this.checkCount(size, 0);
    } else {
      const pos = this.pos;
      if (pos >= this.end) throwTruncated(1, 0);
      const types = this.buf[pos]!;
      this.pos = pos + 1;
      const keyType = toTType(types >> 4);
      const valueType = toTType(types & 0x0f);
      this.keyType = keyType;
      this.valueType = valueType;
      this.checkCount(size, minSize(keyType) + minSize(valueType));
    }
    this.enter();
    return size;
  }

  readListBegin(): number {
    const pos = this.pos;
    if (pos >= this.end) throwTruncated(1, 0);
    const header = this.buf[pos]!;
    this.pos = pos + 1;
    const elementType = toTType(header & 0x0f);
    let size = header >> 4;
    if (size === 15) size = this.readVarint32() | 0;
    this.elementType = elementType;
    this.checkCount(size, size > 0 ? minSize(elementType) : 0);
    this.enter();
    return size;
  }

  readSetBegin(): number {
    return this.readListBegin();
  }

  readBool(): boolean {
    if (this.hasBoolValue) {
      this.hasBoolValue = false;
      return this.boolValue;
    }
    // Container elements are whole bytes; like Apache, only the TRUE code (1) means true.
    return this.readByte() === 1;
  }

  readI16(): number {
    return (zigzag32(this.readVarint32()) << 16) >> 16;
  }

  readI32(): number {
    return zigzag32(this.readVarint32());
  }

  readI64(): bigint {
    const buf = this.buf;
    const end = this.end;
    let pos = this.pos;
    let lo = 0;
    let hi = 0;
    let b = 0x80;
    // Bytes 1-4 carry bits 0-27; byte 5 straddles the halves (4 bits low, 3 high); bytes 6-10 fill the high half.
    for (let shift = 0; shift < 28 && b >= 0x80; shift += 7) {
      if (pos >= end) throwTruncated(1, 0);
      b = buf[pos++]!;
      lo |= (b & 0x7f) << shift;
    }
    if (b >= 0x80) {
      if (pos >= end) throwTruncated(1, 0);
      b = buf[pos++]!;
      lo |= (b & 0x7f) << 28;
      hi = (b & 0x7f) >> 4;
      for (let shift = 3; shift < 38 && b >= 0x80; shift += 7) {
        if (pos >= end) throwTruncated(1, 0);
        b = buf[pos++]!;
        hi |= (b & 0x7f) << shift;
      }
      if (b >= 0x80) throwVarintTooLong(64);
    }
    this.pos = pos;
    // Zigzag-decode the two halves: (n >>> 1) ^ -(n & 1).
    const mask = -(lo & 1);
    return joinI64((((lo >>> 1) | (hi << 31)) ^ mask) >>> 0, ((hi >>> 1) ^ mask) >>> 0);
  }

  readDouble(): number {
    const pos = this.pos;
    if (pos + 8 > this.end) throwTruncated(8, this.end - pos);
    this.pos = pos + 8;
    return readF64(this.buf, pos, true);
  }

  readString(): string {
    return this.readUtf8(this.readVarint32() | 0);
  }

  /** Returns a copy of the bytes (the input buffer may be reused by a transport). */
  readBinary(): Uint8Array {
    return this.readCopy(this.readVarint32() | 0);
  }

  protected skipScalar(type: number): void {
    if (type === T_BOOL) {
      this.readBool();
    } else if (type === T_BYTE) {
      this.skipBytes(1);
    } else if (type === 6 || type === 8 || type === 10) {
      this.skipVarint();
    } else if (type === T_DOUBLE) {
      this.skipBytes(8);
    } else if (type === T_STRING) {
      this.takeSized(this.readVarint32() | 0);
    } else if (type === T_UUID) {
      this.skipBytes(16);
    } else {
      throwBadType(type);
    }
  }

  /**
   * Reads an unsigned varint of at most 5 bytes and returns its low 32 bits as an unsigned number (callers
   * `| 0` it where Apache treats it as a signed i32, so sizes >= 2^31 come out negative).
   */
  private readVarint32(): number {
    // Most varints (lengths, sizes, small ints) are one byte; this much inlines everywhere, the rest is a call.
    const pos = this.pos;
    if (pos < this.end) {
      const b = this.buf[pos]!;
      if (b < 0x80) {
        this.pos = pos + 1;
        return b;
      }
    }
    return this.readLongVarint32();
  }

  /** {@link readVarint32} for varints longer than a byte (or truncated ones). */
  private readLongVarint32(): number {
    const buf = this.buf;
    const end = this.end;
    let pos = this.pos;
    let result = 0;
    for (let shift = 0; shift < 35; shift += 7) {
      if (pos >= end) throwTruncated(1, 0);
      const b = buf[pos++]!;
      result |= (b & 0x7f) << shift;
      if (b < 0x80) {
        this.pos = pos;
        return result >>> 0;
      }
    }
    throwVarintTooLong(32);
  }

  /** Skips a varint of at most 10 bytes (any integer type). */
  private skipVarint(): void {
    const buf = this.buf;
    const end = this.end;
    let pos = this.pos;
    for (let i = 0; i < 10; i++) {
      if (pos >= end) throwTruncated(1, 0);
      if (buf[pos++]! < 0x80) {
        this.pos = pos;
        return;
      }
    }
    throwVarintTooLong(64);
  }
}

function throwVarintTooLong(bits: number): never {
  throw codecError("CODEC_INVALID_VALUE", `varint${bits} longer than ${bits === 32 ? 5 : 10} bytes`);
}

function zigzag32(n: number): number {
  return (n >>> 1) ^ -(n & 1);
}

function toTType(compact: number): number {
  const type = TO_TTYPE[compact]!;
  if (type < 0) throwBadType(compact);
  return type;
}

function minSize(type: number): number {
  const size = MIN_SIZE[type] ?? 0;
  if (size === 0) throwBadType(type);
  return size;
}
