/**
 * One idle reader per protocol for `StructCodec.decode`: decoding is synchronous and calls no user code, so a reader
 * taken here is returned before the next decode starts, and steady-state decoding allocates no reader at all.
 */
import type { BinaryReader } from "./binary-reader.ts";
import type { CompactReader } from "./compact-reader.ts";
import { createReader } from "./factory.ts";
import type { CodecLimits } from "./limits.ts";
import type { ProtocolName } from "./protocol.ts";

/** A reader that can be pointed at new input and let go of it. */
export type PooledReader = BinaryReader | CompactReader;

let idleBinary: BinaryReader | undefined;
let idleCompact: CompactReader | undefined;

/**
 * A reader over `bytes`, reused when one is idle. Pair every call with {@link returnReader}; a decode nested in
 * another (the pool is empty then) simply gets a new reader.
 */
export function takeReader(bytes: Uint8Array, protocol: ProtocolName, limits?: Partial<CodecLimits>): PooledReader {
  if (protocol === "binary" && idleBinary) {
    const reader = idleBinary;
    reader.reset(bytes, limits); // may throw: the reader then stays idle
    idleBinary = undefined;
    return reader;
  }
  if (protocol === "compact" && idleCompact) {
    const reader = idleCompact;
    reader.reset(bytes, limits);
    idleCompact = undefined;
    return reader;
  }
  return createReader(bytes, protocol, limits) as PooledReader;
}

/** Gives a reader from {@link takeReader} back, without the input it read. */
export function returnReader(reader: PooledReader): void {
  reader.release();
  if (reader.protocol === "binary") idleBinary = reader;
  else idleCompact = reader;
}
