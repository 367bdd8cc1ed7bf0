/**
 * What both protocol readers share: bounds-checked access to the input, limit and depth accounting, UTF-8
 * decoding, and a generic non-recursive `skip`. Every failure is raised as a CodecError from here.
 */
import { CodecError } from "../errors.ts";
import { copyBytes } from "./byte-buffer.ts";
import type { CodecErrorCode } from "../errors.ts";
import { resolveCodecLimits } from "./limits.ts";
import type { CodecLimits } from "./limits.ts";
import { TType } from "./protocol.ts";
import type { MessageHeader, MessageTypeId, ProtocolName } from "./protocol.ts";
import { decodeUtf8 } from "./utf8.ts";

const T_STRUCT = TType.STRUCT;
const T_MAP = TType.MAP;
const T_SET = TType.SET;
const T_LIST = TType.LIST;
const T_STOP = TType.STOP;

/**
 * Frames of the iterative skip (kind, count left, two wire types each). Shared by all readers: skip runs to
 * completion without calling out to user code, so no two skips can interleave, and readers allocate nothing.
 */
const skipStack: number[] = [];

/** What a released reader points at. */
const NO_INPUT = new Uint8Array(0);

/** Shared reader machinery for {@link BinaryReader} and {@link CompactReader}; not used on its own. */
export abstract class ByteReader {
  abstract readonly protocol: ProtocolName;
  /** Id of the field whose header `readFieldBegin` read last. */
  fieldId = 0;
  /** Key wire type of the map `readMapBegin` read last (STOP for an empty compact map). */
  keyType = 0;
  /** Value wire type of the map `readMapBegin` read last (STOP for an empty compact map). */
  valueType = 0;
  /** Element wire type of the list or set read last. */
  elementType = 0;

  /** The input, always a plain Uint8Array so element loads stay monomorphic. */
  protected buf: Uint8Array = NO_INPUT;
  /** Next read position. */
  protected pos = 0;
  /** End of the input. */
  protected end = 0;
  /** The whole input as latin1 text, made on the first ASCII string read (see readUtf8). */
  private text: string | undefined = undefined;
  /** Current nesting of structs and containers. */
  protected depth = 0;
  protected maxDepth = 0;
  protected maxStringBytes = 0;
  protected maxContainerElements = 0;

  constructor(bytes: Uint8Array, limits?: Partial<CodecLimits>) {
    this.load(bytes, limits);
  }

  /**
   * Points the reader at new input with fresh state, as if newly constructed: one reader can then serve many
   * messages, which saves its allocation on every decode (see reader-pool.ts).
   */
  reset(bytes: Uint8Array, limits?: Partial<CodecLimits>): void {
    this.load(bytes, limits);
    this.fieldId = 0;
    this.keyType = 0;
    this.valueType = 0;
    this.elementType = 0;
    this.pos = 0;
    this.text = undefined;
    this.depth = 0;
  }

  /** Drops the input and its text, so an idle pooled reader does not keep a large message alive. */
  release(): void {
    this.buf = NO_INPUT;
    this.end = 0;
    this.pos = 0;
    this.text = undefined;
  }

  /** Checks the input against the limits and takes it; the rest of the state is the caller's to set. */
  private load(bytes: Uint8Array, limits: Partial<CodecLimits> | undefined): void {
    const resolved = resolveCodecLimits(limits);
    if (!(bytes instanceof Uint8Array)) throw new CodecError("CODEC_INVALID_VALUE", "input must be a Uint8Array");
    if (bytes.length > resolved.maxMessageBytes) {
      throw codecError("CODEC_LIMIT_EXCEEDED", `message of ${bytes.length} bytes exceeds ${resolved.maxMessageBytes}`);
    }
    // Buffers and other subclasses are re-wrapped: their `slice` shares memory, and a second array shape
    // would make every element load polymorphic.
    this.buf =
      Object.getPrototypeOf(bytes) === Uint8Array.prototype
        ? bytes
        : new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.end = bytes.length;
    this.maxDepth = resolved.maxDepth;
    this.maxStringBytes = resolved.maxStringBytes;
    this.maxContainerElements = resolved.maxContainerElements;
  }

  /** Bytes not yet read. */
  get remaining(): number {
    return this.end - this.pos;
  }

  abstract readFieldBegin(): number;
  abstract readStructBegin(): void;
  abstract readStructEnd(): void;
  abstract readMapBegin(): number;
  abstract readListBegin(): number;
  abstract readSetBegin(): number;
  /** Skips one value of a non-container type; throws CODEC_BAD_TYPE for anything else. */
  protected abstract skipScalar(type: number): void;

  /** Leaves a map, list or set. */
  readContainerEnd(): void {
    this.leave();
  }

  readByte(): number {
    const pos = this.pos;
    if (pos >= this.end) throwTruncated(1, 0);
    this.pos = pos + 1;
    return (this.buf[pos]! << 24) >> 24;
  }

  /**
   * Skips a value of wire type `type`, honouring depth and size limits. Iterative, so a hostile maxDepth
   * setting cannot overflow the JS stack.
   */
  skip(type: number): void {
    if (type !== T_STRUCT && type !== T_MAP && type !== T_SET && type !== T_LIST) {
      this.skipScalar(type);
      return;
    }
    const stack = skipStack;
    let sp = 0; // frames * 4
    let next: number = type;
    for (;;) {
      if (next === T_STRUCT) {
        this.readStructBegin();
        stack[sp] = T_STRUCT;
        stack[sp + 1] = 0;
        sp += 4;
      } else if (next === T_MAP) {
        const size = this.readMapBegin();
        stack[sp] = T_MAP;
        stack[sp + 1] = size * 2; // keys and values alternate, key first
        stack[sp + 2] = this.keyType;
        stack[sp + 3] = this.valueType;
        sp += 4;
      } else if (next === T_LIST || next === T_SET) {
        const size = next === T_LIST ? this.readListBegin() : this.readSetBegin();
        stack[sp] = T_LIST;
        stack[sp + 1] = size;
        stack[sp + 2] = this.elementType;
        sp += 4;
      } else {
        this.skipScalar(next);
      }
      // Find the next value to skip, closing every frame that is complete.
      for (;;) {
        if (sp === 0) return;
        const top = sp - 4;
        if (stack[top] === T_STRUCT) {
          const fieldType = this.readFieldBegin();
          if (fieldType !== T_STOP) {
            next = fieldType;
            break;
          }
          this.readStructEnd();
          sp = top;
          continue;
        }
        const left = stack[top + 1]!;
        if (left === 0) {
          this.readContainerEnd();
          sp = top;
          continue;
        }
        stack[top + 1] = left - 1;
        next = stack[top] === T_MAP && (left & 1) === 1 ? stack[top + 3]! : stack[top + 2]!;
        break;
      }
    }
  }

  /** Enters a struct or container level, enforcing maxDepth. */
  protected enter(): void {
    if (this.depth >= this.maxDepth) throwDepthExceeded(this.maxDepth);
    this.depth++;
  }

  /** Leaves a struct or container level; unbalanced calls are a caller bug, reported rather than ignored. */
  protected leave(): void {
    if (this.depth <= 0) throwUnbalancedEnd();
    this.depth--;
  }

  // The checks below run for every container and string: each is one combined test, with the reporting out of
  // line, so they stay small enough for V8 to inline into every generated read.

  /** Validates a container count against the limits and the bytes left; `minBytes` is one element's minimum. */
  protected checkCount(count: number, minBytes: number): void {
    const available = this.end - this.pos;
    if (count < 0 || count > this.maxContainerElements || count * minBytes > available) {
      throwBadCount(count, this.maxContainerElements, count * minBytes, available);
    }
  }

  /** Validates a string/binary length and returns its start, advancing past it. */
  protected takeSized(length: number): number {
    const start = this.pos;
    if (length < 0 || length > this.maxStringBytes || length > this.end - start) {
      throwBadLength(length, this.maxStringBytes, this.end - start);
    }
    this.pos = start + length;
    return start;
  }

  /** Advances past `n` fixed bytes (scalars of known width). */
  protected skipBytes(n: number): void {
    if (n > this.end - this.pos) throwTruncated(n, this.end - this.pos);
    this.pos += n;
  }

  /** Reads a UTF-8 string of `length` bytes (already read from the prefix). */
  protected readUtf8(length: number): string {
    const start = this.takeSized(length);
    const stop = start + length;
    const buf = this.buf;
    if (length > 1 && this.end <= SHARED_TEXT_MAX_BYTES && isAscii(buf, start, stop)) {
      return (this.text ??= latin1Text(buf)).slice(start, stop);
    }
    return decodeUtf8(buf, start, stop);
  }

  /** Reads `length` bytes as a copy, so later reuse of the input buffer cannot change the result. */
  protected readCopy(length: number): Uint8Array {
    const start = this.takeSized(length);
    return copyBytes(this.buf, start, start + length);
  }

  /** Builds a message header after validating the type. */
  protected messageHeader(name: string, type: number, seqid: number): MessageHeader {
    if (type < 1 || type > 4) throw codecError("CODEC_INVALID_VALUE", `invalid message type ${type}`);
    return { name, type: type as MessageTypeId, seqid };
  }
}

/**
 * Messages up to this size turn their bytes into one latin1 string with one native call, and ASCII strings are
 * sliced from it: far cheaper than building each short string by itself. V8 may keep that text alive as long
 * as a slice of 13 or more characters lives, so the size is small enough for that to cost little.
 */
const SHARED_TEXT_MAX_BYTES = 4 * 1024;

function isAscii(buf: Uint8Array, start: number, end: number): boolean {
  let bits = 0;
  for (let i = start; i < end; i++) bits |= buf[i]!;
  return bits < 0x80;
}

/**
 * Node's `Buffer.prototype.latin1Slice` (what `toString("latin1")` calls after checking its arguments). It accepts
 * any Uint8Array as `this`, so no Buffer view has to be made per message; absent outside Node.
 */
const latin1Slice = (Buffer.prototype as { latin1Slice?: (this: Uint8Array, start: number, end: number) => string })
  .latin1Slice;

/** Every byte as one character (positions are preserved), in one native call. */
function latin1Text(buf: Uint8Array): string {
  if (latin1Slice) return latin1Slice.call(buf, 0, buf.length);
  return Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength).toString("latin1");
}

/** Creates a CodecError with an empty path. */
export function codecError(code: CodecErrorCode, detail: string): CodecError {
  return new CodecError(code, detail);
}

/** Throws CODEC_TRUNCATED; kept out of line so the hot paths stay small. */
export function throwTruncated(needed: number, available: number): never {
  throw new CodecError("CODEC_TRUNCATED", `needed ${needed} more bytes but only ${available} remain`);
}

function throwDepthExceeded(maxDepth: number): never {
  throw codecError("CODEC_DEPTH_EXCEEDED", `nesting deeper than ${maxDepth}`);
}

function throwUnbalancedEnd(): never {
  throw codecError("CODEC_INVALID_VALUE", "struct/container end without a matching begin");
}

/** Reports why a container count failed {@link ByteReader.checkCount}, in the order the checks are specified. */
function throwBadCount(count: number, maxElements: number, minBytes: number, available: number): never {
  if (count < 0) throw codecError("CODEC_NEGATIVE_SIZE", `negative container size ${count}`);
  if (count > maxElements) {
    throw codecError("CODEC_LIMIT_EXCEEDED", `container of ${count} elements exceeds ${maxElements}`);
  }
  throwTruncated(minBytes, available);
}

/** Reports why a string length failed {@link ByteReader.takeSized}, in the order the checks are specified. */
function throwBadLength(length: number, maxBytes: number, available: number): never {
  if (length < 0) throw codecError("CODEC_NEGATIVE_SIZE", `negative string size ${length}`);
  if (length > maxBytes) throw codecError("CODEC_LIMIT_EXCEEDED", `string of ${length} bytes exceeds ${maxBytes}`);
  throwTruncated(length, available);
}

/** Throws CODEC_BAD_TYPE for a wire type id that is not valid where it appeared. */
export function throwBadType(type: number): never {
  throw new CodecError("CODEC_BAD_TYPE", `invalid wire type ${type}`);
}
