/**
 * Shared scratch memory for 64-bit values. Going through a typed array is several times faster in V8 than
 * `Number(bigint)`/`BigInt(number)` or shift arithmetic on bigints, and it lets readers work without a per-instance
 * DataView (creating one per decoded message costs more than the reads it would serve).
 */

const scratchI64 = new BigInt64Array(1);
const scratchU32 = new Uint32Array(scratchI64.buffer);
const scratchF64 = new Float64Array(scratchI64.buffer);
const scratchBytes = new Uint8Array(scratchI64.buffer);
/** Whether this platform stores typed-array elements little-endian (all mainstream ones do). */
const HOST_LITTLE_ENDIAN = new Uint8Array(Uint16Array.of(1).buffer)[0] === 1;
const LO = HOST_LITTLE_ENDIAN ? 0 : 1;
const HI = 1 - LO;

/** Loads the 8 bytes at `pos` (bounds already checked) into the scratch, in the given byte order. */
function load8(buf: Uint8Array, pos: number, littleEndian: boolean): void {
  const b = scratchBytes;
  if (littleEndian === HOST_LITTLE_ENDIAN) {
    b[0] = buf[pos]!;
    b[1] = buf[pos + 1]!;
    b[2] = buf[pos + 2]!;
    b[3] = buf[pos + 3]!;
    b[4] = buf[pos + 4]!;
    b[5] = buf[pos + 5]!;
    b[6] = buf[pos + 6]!;
    b[7] = buf[pos + 7]!;
  } else {
    b[7] = buf[pos]!;
    b[6] = buf[pos + 1]!;
    b[5] = buf[pos + 2]!;
    b[4] = buf[pos + 3]!;
    b[3] = buf[pos + 4]!;
    b[2] = buf[pos + 5]!;
    b[1] = buf[pos + 6]!;
    b[0] = buf[pos + 7]!;
  }
}

/** Reads the 8 bytes at `pos` (bounds already checked) as a double in the given byte order. */
export function readF64(buf: Uint8Array, pos: number, littleEndian: boolean): number {
  load8(buf, pos, littleEndian);
  return scratchF64[0]!;
}

/** Reads the 8 bytes at `pos` (bounds already checked) as a signed 64-bit integer in the given byte order. */
export function readI64(buf: Uint8Array, pos: number, littleEndian: boolean): bigint {
  load8(buf, pos, littleEndian);
  return scratchI64[0]!;
}

/** Splits `value` (wrapped to 64 bits) into halves readable with {@link lowHalf} and {@link highHalf}. */
export function splitI64(value: bigint): void {
  scratchI64[0] = value;
}

/** Low 32 bits (unsigned) of the value last given to {@link splitI64}. */
export function lowHalf(): number {
  return scratchU32[LO]!;
}

/** High 32 bits (unsigned) of the value last given to {@link splitI64}. */
export function highHalf(): number {
  return scratchU32[HI]!;
}

/** Joins two unsigned 32-bit halves into a signed 64-bit bigint. */
export function joinI64(lo: number, hi: number): bigint {
  scratchU32[LO] = lo;
  scratchU32[HI] = hi;
  return scratchI64[0]!;
}
