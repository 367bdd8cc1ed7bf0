/**
 * Nesting bound for walking runtime and JSON values. Readers enforce `maxDepth` on bytes; values built in memory
 * can be cyclic or absurdly deep, and without a bound they would overflow the stack, after which every level's
 * catch block would re-prefix an ever longer path (quadratic work). Deeper values could not be decoded with the
 * default limits anyway.
 */
import { CodecError } from "../../errors.ts";

/** Most struct and container levels a value may nest while being written or converted to or from JSON. */
export const MAX_VALUE_NESTING = 1000;

/** Throws CODEC_DEPTH_EXCEEDED when `depth` passes {@link MAX_VALUE_NESTING}. */
export function checkNesting(depth: number): void {
  if (depth > MAX_VALUE_NESTING) {
    throw new CodecError("CODEC_DEPTH_EXCEEDED", `value nests deeper than ${MAX_VALUE_NESTING} levels (is it cyclic?)`);
  }
}
