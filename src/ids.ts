/** Job ids: UUIDv7 (RFC 9562), time-ordered so ids sort by creation and index well in stores. */
import { randomFillSync } from "node:crypto";

let lastMillis = -1;
let sequence = 0;

/** Random bytes drawn in blocks: one system call per 256 ids instead of one per id (ids are on the send path). */
const randomPool = new Uint8Array(16 * 256);
let poolOffset = randomPool.length;

function randomBytes16(): Uint8Array {
  if (poolOffset === randomPool.length) {
    randomFillSync(randomPool);
    poolOffset = 0;
  }
  const bytes = randomPool.slice(poolOffset, poolOffset + 16);
  poolOffset += 16;
  return bytes;
}

/**
 * Returns a new UUIDv7 string. Ids made in the same millisecond by this process stay strictly increasing: the
 * 12-bit `rand_a` field counts up from a random start (RFC 9562's "monotonic random" method 1).
 */
export function uuidv7(now: number = Date.now()): string {
  const bytes = randomBytes16();
  let millis = Math.max(now, lastMillis);
  if (millis === lastMillis) {
    sequence++;
    if (sequence > 0xfff) {
      millis++;
      sequence = bytes[6]! & 0x07;
    }
  } else {
    sequence = ((bytes[6]! & 0x07) << 8) | bytes[7]!;
  }
  lastMillis = millis;
  bytes[0] = Math.floor(millis / 2 ** 40) & 0xff;
  bytes[1] = Math.floor(millis / 2 ** 32) & 0xff;
  bytes[2] = (millis >>> 24) & 0xff;
  bytes[3] = (millis >>> 16) & 0xff;
  bytes[4] = (millis >>> 8) & 0xff;
  bytes[5] = millis & 0xff;
  bytes[6] = 0x70 | (sequence >> 8);
  bytes[7] = sequence & 0xff;
  bytes[8] = 0x80 | (bytes[8]! & 0x3f);
  const hex = Buffer.from(bytes).toString("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** The creation time (Unix milliseconds) encoded in a UUIDv7, or undefined for anything else. */
export function uuidv7Timestamp(id: string): number | undefined {
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i.test(id)) return undefined;
  return Number.parseInt(id.slice(0, 8) + id.slice(9, 13), 16);
}
