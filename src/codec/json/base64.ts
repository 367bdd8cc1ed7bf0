/**
 * Standard padded base64 (RFC 4648 section 4), the JSON form of `binary`. Decoding is strict: only the standard
 * alphabet, length a multiple of 4, padding only at the end, and zero padding bits, so every accepted string is
 * the canonical encoding of its bytes. Platform-neutral (no Buffer), like the rest of the codecs.
 */

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const PAD = 61; // "="
/** Bytes per chunk when encoding: a multiple of 3 whose output fits String.fromCharCode's argument list. */
const ENCODE_CHUNK = 3 * 2048;

const ENCODE = Uint8Array.from(ALPHABET, (char) => char.charCodeAt(0));
const DECODE = new Int8Array(128).fill(-1);
for (let i = 0; i < ALPHABET.length; i++) DECODE[ALPHABET.charCodeAt(i)] = i;

/** The standard padded base64 encoding of `bytes`. */
export function encodeBase64(bytes: Uint8Array): string {
  const parts: string[] = [];
  for (let start = 0; start < bytes.length; start += ENCODE_CHUNK) {
    parts.push(encodeChunk(bytes, start, Math.min(start + ENCODE_CHUNK, bytes.length)));
  }
  return parts.join("");
}

function encodeChunk(bytes: Uint8Array, start: number, end: number): string {
  const codes: number[] = [];
  let i = start;
  for (; i + 3 <= end; i += 3) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!;
    codes.push(ENCODE[n >> 18]!, ENCODE[(n >> 12) & 63]!, ENCODE[(n >> 6) & 63]!, ENCODE[n & 63]!);
  }
  if (end - i === 1) {
    const n = bytes[i]! << 16;
    codes.push(ENCODE[n >> 18]!, ENCODE[(n >> 12) & 63]!, PAD, PAD);
  } else if (end - i === 2) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8);
    codes.push(ENCODE[n >> 18]!, ENCODE[(n >> 12) & 63]!, ENCODE[(n >> 6) & 63]!, PAD);
  }
  return String.fromCharCode(...codes);
}

/** Decodes strict standard padded base64; returns undefined for anything else. */
export function decodeBase64(text: string): Uint8Array | undefined {
  if (text.length % 4 !== 0) return undefined;
  const padding = text.endsWith("==") ? 2 : text.endsWith("=") ? 1 : 0;
  const out = new Uint8Array((text.length / 4) * 3 - padding);
  const fullGroups = padding === 0 ? text.length / 4 : text.length / 4 - 1;
  let o = 0;
  for (let g = 0; g < fullGroups; g++) {
    const n = group(text, g * 4, 4);
    if (n < 0) return undefined;
    out[o++] = n >> 16;
    out[o++] = (n >> 8) & 255;
    out[o++] = n & 255;
  }
  if (padding === 0) return out;
  const last = text.length - 4;
  const n = group(text, last, 4 - padding);
  // Non-zero padding bits would make a second spelling of the same bytes.
  if (n < 0 || (padding === 2 ? n & 0xffff : n & 0xff) !== 0) return undefined;
  out[o++] = n >> 16;
  if (padding === 1) out[o] = (n >> 8) & 255;
  return out;
}

/** The 24-bit value of `count` base64 digits at `start` (missing digits as zero), or -1 for a bad digit. */
function group(text: string, start: number, count: number): number {
  let n = 0;
  for (let k = 0; k < 4; k++) {
    let digit = 0;
    if (k < count) {
      const code = text.charCodeAt(start + k);
      digit = code < 128 ? DECODE[code]! : -1;
      if (digit < 0) return -1;
    }
    n = (n << 6) | digit;
  }
  return n;
}
