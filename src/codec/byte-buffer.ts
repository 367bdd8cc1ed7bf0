/**
 * The growable output buffer both protocol writers build on: one Uint8Array + DataView pair that lives as long as
 * the writer, so steady-state encoding allocates only the final copy returned by `finish()`.
 */
import { CodecError } from "../errors.ts";
import { utf8ByteLength } from "./utf8.ts";

const INITIAL_CAPACITY = 512;
/** A buffer grown past this by one huge message is dropped on `finish()` so the writer does not pin it forever. */
const RETAIN_CAPACITY = 1024 * 1024;
/** Above this many UTF-16 units, measure strings exactly instead of reserving 3 bytes per unit. */
const EXACT_LENGTH_THRESHOLD = 64 * 1024;
/** Copies up to this size are carved out of a shared slab; V8 allocates each small ArrayBuffer off-heap, slowly. */
const POOLED_MAX = 4096;
const POOL_SIZE = 32 * 1024;
/** Typed arrays this small live on the V8 heap and are cheap to allocate one by one. */
const ON_HEAP_MAX = 64;

let pool = new ArrayBuffer(POOL_SIZE);
let poolOffset = 0;

/**
 * Returns a copy of `src[start, end)` that later writes to `src` cannot change. Like `Buffer.allocUnsafe`, copies of
 * 65..4096 bytes share a 32 KiB slab, so the result's `.buffer` can be larger than the result: always honour
 * `byteOffset`/`byteLength`.
 */
export function copyBytes(src: Uint8Array, start: number, end: number): Uint8Array {
  const len = end - start;
  if (len <= ON_HEAP_MAX || len > POOLED_MAX) return src.slice(start, end);
  if (poolOffset + len > POOL_SIZE) {
    pool = new ArrayBuffer(POOL_SIZE);
    poolOffset = 0;
  }
  const out = new Uint8Array(pool, poolOffset, len);
  out.set(src.subarray(start, end));
  poolOffset += (len + 7) & ~7; // keep slices 8-byte aligned, as Buffer's pool does
  return out;
}

/** Shared buffer management for {@link BinaryWriter} and {@link CompactWriter}; not used on its own. */
export abstract class ByteWriter {
  /** The output bytes; only `[0, pos)` is meaningful. */
  protected buf: Uint8Array;
  /** A view over {@link buf} for floats and 64-bit integers. */
  protected view: DataView;
  /** Next write position. */
  protected pos: number;

  constructor(initialCapacity: number = INITIAL_CAPACITY) {
    this.buf = new Uint8Array(initialCapacity);
    this.view = new DataView(this.buf.buffer);
    this.pos = 0;
  }

  /**
   * Returns a copy of the bytes written since the last `finish()` and resets the writer. The copy may be a view
   * into a shared slab (see {@link copyBytes}).
   */
  finish(): Uint8Array {
    const out = copyBytes(this.buf, 0, this.pos);
    this.reset();
    return out;
  }

  /** Discards everything written since the last `finish()` (call after an encode failed half way). */
  reset(): void {
    this.pos = 0;
    if (this.buf.length > RETAIN_CAPACITY) {
      this.buf = new Uint8Array(INITIAL_CAPACITY);
      this.view = new DataView(this.buf.buffer);
    }
    this.resetState();
  }

  /** Clears protocol state (compact's field-id stack); called by {@link reset}. */
  protected abstract resetState(): void;

  /** Makes room for `n` more bytes. Kept tiny so it inlines; growth lives in {@link grow}. */
  protected ensure(n: number): void {
    if (this.pos + n > this.buf.length) this.grow(n);
  }

  private grow(n: number): void {
    const needed = this.pos + n;
    // A NaN or infinite need would otherwise loop forever or allocate garbage; both mean a caller bug.
    if (!(needed <= 0x7fffffff)) throw new CodecError("CODEC_LIMIT_EXCEEDED", `cannot grow output to ${needed} bytes`);
    let capacity = this.buf.length * 2;
    while (capacity < needed) capacity *= 2;
    let next: Uint8Array;
    try {
      next = new Uint8Array(Math.min(capacity, 0x7fffffff));
    } catch (cause) {
      // Out of memory surfaces as a RangeError; callers are promised CodecErrors only.
      throw new CodecError("CODEC_LIMIT_EXCEEDED", `cannot grow output to ${capacity} bytes`, "", { cause });
    }
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }

  /** Writes one raw byte (no protocol framing). */
  protected writeRaw(b: number): void {
    if (this.pos >= this.buf.length) this.grow(1);
    this.buf[this.pos++] = b;
  }

  /** Copies raw bytes (no length prefix). */
  protected writeRawBytes(bytes: Uint8Array): void {
    const n = bytes.length;
    this.ensure(n);
    if (n <= 16) {
      // A loop beats `set()`'s call overhead for the tiny blobs (ids, hashes) RPC payloads carry.
      const buf = this.buf;
      let pos = this.pos;
      for (let i = 0; i < n; i++) buf[pos++] = bytes[i]!;
    } else {
      this.buf.set(bytes, this.pos);
    }
    this.pos += n;
  }

  /**
   * Reserves room for `value` as UTF-8 after a prefix of `prefixBytes` and returns the exact byte length when the
   * string is so long that reserving 3 bytes per unit would waste memory, or -1 when the upper bound was reserved.
   */
  protected reserveUtf8(value: string, prefixBytes: number): number {
    const len = value.length;
    if (len <= EXACT_LENGTH_THRESHOLD) {
      this.ensure(prefixBytes + len * 3);
      return -1;
    }
    const exact = utf8ByteLength(value);
    this.ensure(prefixBytes + exact);
    return exact;
  }

  /** Validates a container size before it is written; NaN, fractions and out-of-range sizes are caller bugs. */
  protected checkSize(size: number): void {
    if ((size | 0) !== size || size < 0) {
      throw new CodecError("CODEC_INVALID_VALUE", `invalid container size ${size}`);
    }
  }
}
